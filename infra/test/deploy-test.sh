#!/usr/bin/env bash
# Runs infra/deploy.sh against stand-in az, aws and curl (bin/, recording every call) and checks:
#   - --dry-run on a fresh state prints every step's command and changes nothing, and names the retired Data Collector API;
#   - a --parameter that main.bicep does not allow (name, type, @allowed, range) stops it before any command, dry run or not;
#   - the first run makes the writes (resource group, deployment, stack, code, tag, refresh) and prints the summary;
#   - a second run makes none;
#   - without AWS credentials the run prints the AWS command and the quick-create link and stops (exit 3) before the
#     code deployment, and a rerun with credentials resumes without repeating the Azure deployment.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
export PATH="${here}/bin:${PATH}" FAKE_STATE="${work}/state.json" IAMKEY_DEPLOY_PACKAGE="${work}/package.zip"
export IAMKEY_DEPLOY_POLL_SECONDS=0
echo "not a real package" >"${IAMKEY_DEPLOY_PACKAGE}"
deploy="${here}/../deploy.sh"
args=(--resource-group rg-iamkeys --location westeurope --environment iamkeys-test)

tenant=72f988bf-86f1-41af-91ab-2d7cd011db47 principal=6f1a3c2e-0b7d-4e59-9a8c-2d4e6f8a0b1c
fresh() { # $1: whether AWS CLI credentials are present
  rm -f "${FAKE_STATE}".*
  jq -n --argjson creds "$1" --arg t "${tenant}" --arg p "${principal}" '{
    awsCredentials: $creds, groups: [], deployments: {}, summaries: [], codeDeployments: 0,
    outputs: {
      FUNCTION_APP_NAME: "func-abc", FUNCTION_APP_HOSTNAME: "func-abc.azurewebsites.net",
      LOG_ANALYTICS_WORKSPACE_ID: "11111111-2222-3333-4444-555555555555",
      AWS_CENTRAL_STACK_COMMAND: ("aws cloudformation deploy --region us-east-1 --stack-name iamkeyfunc-central --template-file infra/aws/central-account.yaml --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset --parameter-overrides TenantId=" + $t + " AppIdUri=api://" + $t + "/iamkeyfunc-abc ManagedIdentityPrincipalId=" + $p + " RoleName=IamKeyFuncReader MemberRoleName=IamKeyFuncMember"),
      AWS_MEMBER_STACK_COMMAND: "aws cloudformation deploy --stack-name iamkeyfunc-member ...",
      AWS_CENTRAL_STACK_QUICK_CREATE_URL: "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate?stackName=iamkeyfunc-central",
      WORKBOOK_PORTAL_URL: "https://portal.azure.com/#@tenant/resource/wb/workbook"}}' >"${FAKE_STATE}"
  : >"${FAKE_STATE}.writes"
}
writes() { wc -l <"${FAKE_STATE}.writes" | tr -d ' '; }
fail() { echo "FAILED: $*" >&2; cat "${FAKE_STATE}.calls" >&2 2>/dev/null || true; exit 1; }
expect() { grep -qF -- "$1" <<<"$2" || fail "output lacks '$1'"; }

# Dry run: every command printed, nothing written.
fresh true
out="$("${deploy}" "${args[@]}" --dry-run 2>&1)" || fail "dry run failed: ${out}"
[[ "$(writes)" == 0 ]] || fail "the dry run wrote: $(cat "${FAKE_STATE}.writes")"
for command in "+ az group create" "+ az deployment group create" "+ aws cloudformation deploy" \
  "+ az functionapp deployment source config-zip" "+ az resource tag" "+ curl -fsS -X POST" "Workbook: "; do
  expect "${command}" "${out}"
done
grep -q "fake-function-key" <<<"${out}" && fail "the dry run printed the function key"

# The retired Data Collector API is named when it is chosen (the default), with the one parameter that moves off it.
expect "Note: sinkMode=DataCollector (the default) sends to the HTTP Data Collector API, whose support ended on 2026-09-14" "${out}"
expect "--parameter sinkMode=LogsIngestion" "${out}"
out="$("${deploy}" "${args[@]}" --dry-run --parameter sinkMode=LogsIngestion 2>&1)" || fail "dry run with sinkMode=LogsIngestion failed: ${out}"
grep -q "Data Collector API" <<<"${out}" && fail "the Logs Ingestion dry run warned about the Data Collector API"

# A --parameter that main.bicep does not allow stops the script before anything runs, in a dry run too.
for bad in "sinkMode=Foo|sinkMode must be one of DataCollector, LogsIngestion" "sinkMod=LogsIngestion|is not a parameter of infra/azure/main.bicep" \
  "workspaceRetentionInDays=10|must be at least 30" "createEntraApp=yes|must be true or false" "instanceMemoryMB=1024|must be one of 512, 2048, 4096" \
  "keyPolicies={}|must be a JSON array" "noequals|must be NAME=VALUE"; do
  rm -f "${FAKE_STATE}.calls"
  status=0
  for dry in --dry-run ""; do
    out="$("${deploy}" "${args[@]}" ${dry:+"${dry}"} --parameter "${bad%%|*}" 2>&1)" || status=$?
    [[ "${status}" == 2 ]] || fail "--parameter ${bad%%|*} ${dry}: expected exit 2, got ${status}: ${out}"
    expect "--parameter '${bad%%|*}': " "${out}"
    expect "${bad#*|}" "${out}"
    [[ ! -s "${FAKE_STATE}.calls" ]] || fail "--parameter ${bad%%|*} ${dry}: commands ran before the check: $(cat "${FAKE_STATE}.calls")"
  done
done
[[ "$(writes)" == 0 ]] || fail "a refused --parameter wrote: $(cat "${FAKE_STATE}.writes")"

# First run: the writes, the summary and the link.
out="$("${deploy}" "${args[@]}" 2>&1)" || fail "first run failed: ${out}"
first="$(writes)"
for command in "az group create" "az deployment group create" "aws cloudformation deploy" "az functionapp deployment source config-zip" \
  "az resource tag" "curl POST https://func-abc.azurewebsites.net/api/report/refresh"; do
  grep -qF "${command}" "${FAKE_STATE}.writes" || fail "the first run did not run '${command}'"
done
[[ "${first}" == 6 ]] || fail "expected 6 writes on the first run, got ${first}: $(cat "${FAKE_STATE}.writes")"
jq -e '.stack.Parameters | from_entries? // (map({key: .ParameterKey, value: .ParameterValue}) | from_entries) | .ManagedIdentityPrincipalId == "'"${principal}"'"' \
  "${FAKE_STATE}" >/dev/null || fail "the stack lacks the managed identity's object ID"
expect "111122223333  Succeeded  3" "${out}"
expect "Workbook: https://portal.azure.com/" "${out}"
grep -q "fake-function-key" <<<"${out}" && fail "the run printed the function key"

# Second run: nothing written.
out="$("${deploy}" "${args[@]}" 2>&1)" || fail "second run failed: ${out}"
[[ "$(writes)" == "${first}" ]] || fail "the second run wrote: $(tail -n +"$((first + 1))" "${FAKE_STATE}.writes")"
expect "already succeeded" "${out}"
expect "Stack iamkeyfunc-central: up to date" "${out}"

# No AWS credentials: print the AWS side, stop before the code; resume once the stack exists.
fresh false
status=0
out="$("${deploy}" "${args[@]}" --aws-account-id 111122223333 </dev/null 2>&1)" || status=$?
[[ "${status}" == 3 ]] || fail "expected exit 3 without AWS credentials, got ${status}: ${out}"
expect "aws cloudformation deploy --region us-east-1 --stack-name iamkeyfunc-central" "${out}"
expect "ManagedIdentityPrincipalId=${principal}" "${out}"
expect "quickcreate" "${out}"
grep -q "config-zip" "${FAKE_STATE}.writes" && fail "the code was deployed before the AWS side"
stopped="$(writes)"
jq '.awsCredentials = true' "${FAKE_STATE}" >"${work}/next.json" && mv "${work}/next.json" "${FAKE_STATE}"
out="$("${deploy}" "${args[@]}" --aws-account-id 111122223333 2>&1)" || fail "resumed run failed: ${out}"
[[ "$(tail -n +"$((stopped + 1))" "${FAKE_STATE}.writes" | grep -c "az deployment group create")" == 0 ]] || fail "the resumed run redeployed the Bicep"
grep -q "config-zip" "${FAKE_STATE}.writes" || fail "the resumed run did not deploy the code"

echo "deploy.sh: dry run printed every step and wrote nothing; bad parameters refused before any command; ${first} writes on the first run, none on the second; resumed after the AWS side"
