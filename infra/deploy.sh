#!/usr/bin/env bash
# IamKeyFunc from zero to first data, in one script. Idempotent: every write is preceded by a read, so a rerun after a
# success writes nothing, and a run stopped halfway (for instance waiting for the AWS side) resumes where it stopped.
#
#   1. builds and publishes the Function (dotnet publish, zip);
#   2. deploys infra/azure/main.json (Azure resources and the Entra app registration), skipped when a deployment of
#      the same template and parameters has already succeeded;
#   3. deploys the CloudFormation central-account stack when AWS CLI credentials are present; otherwise prints the
#      command and the console quick-create link, then waits (interactive) or stops so that a rerun resumes;
#   4. deploys the code to Flex Consumption, skipped when the same package is already deployed;
#   5. calls the refresh endpoint once (skipped when a run summary already exists);
#   6. prints the first run's summary and the workbook's portal link.
#
# Needs: Azure CLI (logged in; Contributor and User Access Administrator on the resource group, and Cloud Application
# Administrator or Application Administrator in Entra for the app registration), .NET SDK, jq, curl, zip; the AWS CLI
# for step 3 (optional).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: infra/deploy.sh --resource-group NAME --location REGION --environment NAME [options]

  --resource-group NAME      Azure resource group (created when missing)
  --location REGION          Azure region, e.g. westeurope
  --environment NAME         environmentName parameter (seeds the resource names)
  --aws-account-id ID        Central AWS account (12 digits); default: the account of the AWS CLI credentials
  --aws-region REGION        Region of the CloudFormation stack (default us-east-1)
  --parameter NAME=VALUE     Any other parameter of infra/azure/main.bicep (repeatable), e.g. sinkMode=LogsIngestion
  --no-wait                  Without AWS credentials, stop after printing the AWS steps instead of waiting
  --dry-run                  Print every command that would change something, change nothing
  -h, --help                 This help
EOF
}

resource_group="" location="" environment="" aws_account_id="" aws_region="us-east-1" wait_for_aws=true dry_run=false
extra_parameters=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --resource-group) resource_group="${2:?--resource-group needs a value}"; shift 2 ;;
    --location) location="${2:?--location needs a value}"; shift 2 ;;
    --environment) environment="${2:?--environment needs a value}"; shift 2 ;;
    --aws-account-id) aws_account_id="${2:?--aws-account-id needs a value}"; shift 2 ;;
    --aws-region) aws_region="${2:?--aws-region needs a value}"; shift 2 ;;
    --parameter) extra_parameters+=("${2:?--parameter needs NAME=VALUE}"); shift 2 ;;
    --no-wait) wait_for_aws=false; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "Unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for required in resource_group location environment; do
  [[ -n "${!required}" ]] || { echo "--${required//_/-} is required." >&2; usage >&2; exit 2; }
done
[[ -z "${aws_account_id}" || "${aws_account_id}" =~ ^[0-9]{12}$ ]] || { echo "--aws-account-id must be 12 digits." >&2; exit 2; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "${repo}"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

step() { printf '\n== %s\n' "$*" >&2; }
log() { printf '%s\n' "$*" >&2; }
# A command that changes something: printed, and run unless --dry-run.
write() {
  printf '+ %s\n' "$(printf '%q ' "$@")" >&2
  [[ "${dry_run}" == true ]] || "$@"
}

command -v jq >/dev/null || { echo "jq is required." >&2; exit 2; }

# Every --parameter is checked against the template before anything runs (in a dry run too): its name, its type and
# the @allowed, @minValue, @maxValue, @minLength and @maxLength of main.bicep (main.json is its build, checked in CI).
parameter_problem() { # $1: NAME=VALUE; prints what is wrong with it, nothing when it is fine
  [[ "$1" == ?*=* ]] || { echo "must be NAME=VALUE"; return; }
  jq -r --arg name "${1%%=*}" --arg value "${1#*=}" '
    def list: map(tostring) | join(", ");
    .parameters[$name] as $p
    | ($p.type // "" | ascii_downcase) as $type
    | if $p == null then "is not a parameter of infra/azure/main.bicep; its parameters: \(.parameters | keys | list)"
      elif $type == "int" then
        if ($value | test("^-?[0-9]+$") | not) then "\($name) must be a whole number"
        else ($value | tonumber) as $n
          | if $p.allowedValues and ($p.allowedValues | index($n) | not) then "\($name) must be one of \($p.allowedValues | list)"
            elif $p.minValue != null and $n < $p.minValue then "\($name) must be at least \($p.minValue)"
            elif $p.maxValue != null and $n > $p.maxValue then "\($name) must be at most \($p.maxValue)"
            else empty end
        end
      elif $type == "bool" then if $value == "true" or $value == "false" then empty else "\($name) must be true or false" end
      elif $type == "array" or $type == "object" then
        if (try ($value | fromjson | type) catch "") == $type then empty else "\($name) must be a JSON \($type)" end
      elif $p.allowedValues and ($p.allowedValues | index($value) | not) then "\($name) must be one of \($p.allowedValues | list)"
      elif $p.minLength != null and ($value | length) < $p.minLength then "\($name) must have at least \($p.minLength) character\(if $p.minLength == 1 then "" else "s" end)"
      elif $p.maxLength != null and ($value | length) > $p.maxLength then "\($name) must have at most \($p.maxLength) character\(if $p.maxLength == 1 then "" else "s" end)"
      else empty end' infra/azure/main.json
}
for parameter in "${extra_parameters[@]}"; do
  problem="$(parameter_problem "${parameter}")"
  [[ -z "${problem}" ]] || { echo "--parameter '${parameter}': ${problem}." >&2; exit 2; }
done

# The HTTP Data Collector API (the default sink, which the design asks for) is retired: say so whenever it is chosen.
sink_mode="$(jq -r '.parameters.sinkMode.defaultValue' infra/azure/main.json)"
for parameter in "${extra_parameters[@]}"; do
  [[ "${parameter}" != sinkMode=* ]] || sink_mode="${parameter#sinkMode=}"
done
if [[ "${sink_mode}" == DataCollector ]]; then
  cat >&2 <<'EOF'
Note: sinkMode=DataCollector (the default) sends to the HTTP Data Collector API, whose support ended on 2026-09-14: it
still ingests, but can stop without notice. One setting moves to the Logs Ingestion API: --parameter sinkMode=LogsIngestion
(a DCR, DCR-based tables and no workspace key; the app setting IamKey__Delivery__Sink=LogsIngestion follows). See the
README, "Moving off the HTTP Data Collector API".
EOF
fi
# A dry run also works without the Azure CLI or a login (on a fresh clone): it then assumes nothing exists yet.
azure=true
if ! command -v az >/dev/null || ! az account show --query id -o tsv >/dev/null 2>&1; then
  [[ "${dry_run}" == true ]] || { echo "The Azure CLI is required, logged in: az login" >&2; exit 2; }
  azure=false
  log "(dry run without an Azure CLI login: assuming nothing exists yet)"
fi
[[ "${dry_run}" == true ]] || command -v curl >/dev/null || { echo "curl is required." >&2; exit 2; }

# ---- 1. Build and publish ------------------------------------------------------------------------------------------
step "1/6 build and publish the Function"
package="${work}/iamkeyfunc.zip"
if [[ "${IAMKEY_DEPLOY_PACKAGE:-}" != "" ]]; then
  package="${IAMKEY_DEPLOY_PACKAGE}" # tests, or a package built elsewhere
  log "Package: ${package}"
else
  write dotnet publish src/IamKeyFunc -c Release -o "${work}/publish" --nologo --verbosity quiet
  if [[ "${dry_run}" == false ]]; then
    rm -f "${package}"
    (cd "${work}/publish" && zip -qr -X "${package}" .)
  fi
fi
# The package's identity: the hash of the published files, not of the zip (zip entries carry timestamps).
package_hash="dry-run"
if [[ -f "${package}" ]]; then
  package_hash="$(sha256sum "${package}" | cut -c1-16)"
  if [[ -d "${work}/publish" && -z "${IAMKEY_DEPLOY_PACKAGE:-}" ]]; then
    package_hash="$(cd "${work}/publish" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
  fi
fi

# ---- 2. Azure and Entra (Bicep) ------------------------------------------------------------------------------------
step "2/6 deploy infra/azure/main.json (Azure resources and the Entra app registration)"

aws_ready=false
if command -v aws >/dev/null && caller="$(aws sts get-caller-identity --output json 2>/dev/null)"; then
  aws_ready=true
  [[ -n "${aws_account_id}" ]] || aws_account_id="$(jq -r '.Account' <<<"${caller}")"
  log "AWS CLI credentials: account $(jq -r '.Account' <<<"${caller}")"
else
  log "No AWS CLI credentials: the AWS steps will be printed for you to run."
fi

parameters=("environmentName=${environment}" "awsRegion=${aws_region}")
[[ -z "${aws_account_id}" ]] || parameters+=("awsAccountId=${aws_account_id}")
parameters+=("${extra_parameters[@]}")

# Same template and parameters: same deployment name; a succeeded deployment of that name is not repeated.
deployment="iamkeyfunc-$({ sha256sum infra/azure/main.json; printf '%s\n' "${location}" "${parameters[@]}"; } | sha256sum | cut -c1-12)"
if [[ "${azure}" == false || "$(az group exists --name "${resource_group}")" != "true" ]]; then
  write az group create --name "${resource_group}" --location "${location}" --output none
fi
state=""
[[ "${azure}" == false ]] || state="$(az deployment group show --resource-group "${resource_group}" --name "${deployment}" \
  --query properties.provisioningState -o tsv 2>/dev/null || true)"
if [[ "${state}" == "Succeeded" ]]; then
  log "Deployment ${deployment}: already succeeded with this template and these parameters"
else
  write az deployment group create --resource-group "${resource_group}" --name "${deployment}" \
    --template-file infra/azure/main.json --parameters "${parameters[@]}" --output none
fi

known=true # whether the deployment's outputs exist (not in a dry run before the first deployment)
if [[ "${dry_run}" == true && "${state}" != "Succeeded" ]]; then
  known=false
  outputs="$(jq -n --arg r "${aws_region}" '{AWS_CENTRAL_STACK_COMMAND: {value: ("aws cloudformation deploy --region " + $r
    + " --stack-name iamkeyfunc-central --template-file infra/aws/central-account.yaml --capabilities CAPABILITY_NAMED_IAM"
    + " --no-fail-on-empty-changeset --parameter-overrides TenantId=<AZURE_TENANT_ID> AppIdUri=<AWS_OIDC_AUDIENCE>"
    + " ManagedIdentityPrincipalId=<MANAGED_IDENTITY_PRINCIPAL_ID> RoleName=IamKeyFuncReader MemberRoleName=IamKeyFuncMember")}}')"
  log "(dry run: the next steps use the deployment's outputs, shown here as <OUTPUT_NAME>)"
else
  outputs="$(az deployment group show --resource-group "${resource_group}" --name "${deployment}" --query properties.outputs -o json)"
fi
output() { jq -r --arg n "$1" '.[$n].value // ("<" + $n + ">")' <<<"${outputs}"; }

# ---- 3. AWS side (CloudFormation) ----------------------------------------------------------------------------------
step "3/6 AWS central-account stack (CloudFormation)"
central_command="$(output AWS_CENTRAL_STACK_COMMAND)"
central_parameters="$(output AWS_CENTRAL_STACK_COMMAND | sed -n 's/.*--parameter-overrides //p')"
stack_matches() {
  # The stack exists, is complete, and has exactly the parameters the deployment asks for.
  local stack wanted
  stack="$(aws cloudformation describe-stacks --region "${aws_region}" --stack-name iamkeyfunc-central --output json 2>/dev/null)" || return 1
  jq -e '.Stacks[0].StackStatus | test("^(CREATE|UPDATE)_COMPLETE$")' <<<"${stack}" >/dev/null || return 1
  wanted="$(tr ' ' '\n' <<<"${central_parameters}" | jq -R 'split("=") | {key: .[0], value: (.[1:] | join("="))}' | jq -s 'from_entries')"
  jq -e --argjson w "${wanted}" '[.Stacks[0].Parameters[] | {key: .ParameterKey, value: .ParameterValue}] | from_entries | contains($w)' \
    <<<"${stack}" >/dev/null
}
if [[ "${aws_ready}" == true ]]; then
  if stack_matches; then
    log "Stack iamkeyfunc-central: up to date"
  else
    read -r -a central_args <<<"${central_command}"
    write "${central_args[@]}"
  fi
else
  cat >&2 <<EOF
Run this with credentials of the central AWS account (from the repository root):

  ${central_command}

or open the CloudFormation console's quick-create page (set awsCentralTemplateUrl to an S3 copy of
infra/aws/central-account.yaml for the template URL to be filled in):

  $(output AWS_CENTRAL_STACK_QUICK_CREATE_URL)
EOF
  if [[ "${dry_run}" == false ]]; then
    if [[ "${wait_for_aws}" == true && -t 0 ]]; then
      read -r -p "Press Enter once the stack is CREATE_COMPLETE (Ctrl-C to stop; rerun this script to resume) " _
    else
      log "Stopped before the code deployment: rerun infra/deploy.sh with the same arguments once the stack exists."
      exit 3
    fi
  fi
fi
member_command="$(output AWS_MEMBER_STACK_COMMAND)"
if [[ -n "${member_command}" ]]; then
  log "For each member account, with its credentials (or as a StackSet): ${member_command}"
fi

# ---- 4. Code (Flex Consumption) ------------------------------------------------------------------------------------
step "4/6 deploy the code to Flex Consumption"
app="$(output FUNCTION_APP_NAME)"
deployed_hash=""
[[ "${known}" == false ]] || deployed_hash="$(az functionapp show --resource-group "${resource_group}" --name "${app}" \
  --query 'tags."iamkeyfunc-package"' -o tsv 2>/dev/null || true)"
if [[ "${deployed_hash}" == "${package_hash}" ]]; then
  log "Package ${package_hash}: already deployed to ${app}"
else
  write az functionapp deployment source config-zip --resource-group "${resource_group}" --name "${app}" --src "${package}" --output none
  write az resource tag --resource-group "${resource_group}" --name "${app}" --resource-type Microsoft.Web/sites \
    --is-incremental --tags "iamkeyfunc-package=${package_hash}" --output none
fi

# ---- 5. First run --------------------------------------------------------------------------------------------------
step "5/6 first run (POST /api/report/refresh)"
workspace_id="$(output LOG_ANALYTICS_WORKSPACE_ID)"
summary_query='AwsKeyRunSummaries() | summarize arg_max(CollectedAt, *) by AccountId | project AccountId, AccountAlias, Status, UsersScanned, KeysReported, FindingsCount, ErrorCode | order by AccountId asc'
summaries() {
  az monitor log-analytics query --workspace "${workspace_id}" --analytics-query "${summary_query}" --timespan P2D -o json 2>/dev/null || echo '[]'
}
existing='[]'
[[ "${known}" == false ]] || existing="$(summaries)"
if [[ "$(jq 'length' <<<"${existing}")" -gt 0 ]]; then
  log "Run summaries exist already: no refresh needed"
else
  key='<function-key>'
  [[ "${known}" == false ]] || key="$(az functionapp function keys list --resource-group "${resource_group}" --name "${app}" \
    --function-name RefreshReport --query default -o tsv)"
  url="https://$(output FUNCTION_APP_HOSTNAME)/api/report/refresh"
  # The key goes in a header, never on the command line that --dry-run prints.
  printf '+ curl -fsS -X POST %q -H "x-functions-key: ***"\n' "${url}" >&2
  if [[ "${dry_run}" == false ]]; then
    curl -fsS --retry 5 --retry-all-errors --retry-delay 20 --max-time 600 -X POST "${url}" -H "x-functions-key: ${key}" \
      | jq '{runId, status, accounts}' >&2 || log "The refresh call failed; see the Function's logs (Application Insights)."
  fi
fi

# ---- 6. Summary and the workbook -----------------------------------------------------------------------------------
step "6/6 first run's summary"
if [[ "${dry_run}" == false ]]; then
  rows="$(summaries)"
  for _ in $(seq 1 "${IAMKEY_DEPLOY_SUMMARY_POLLS:-20}"); do
    [[ "$(jq 'length' <<<"${rows}")" -eq 0 ]] || break
    log "Waiting for the summary to arrive in the workspace (ingestion takes a few minutes)..."
    sleep "${IAMKEY_DEPLOY_POLL_SECONDS:-30}"
    rows="$(summaries)"
  done
  jq -r '(["ACCOUNT", "STATUS", "USERS", "KEYS", "FINDINGS", "ERROR"] | @tsv),
    (.[] | [.AccountId, .Status, .UsersScanned, .KeysReported, .FindingsCount, (.ErrorCode // "")] | @tsv)' <<<"${rows}" | column -t -s $'\t'
fi
echo "Workbook: $(output WORKBOOK_PORTAL_URL)"
