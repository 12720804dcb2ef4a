#!/usr/bin/env bash
# Runs create-app-registration.sh twice against the stand-in az (this folder) and checks that the first run
# builds the registration AWS needs and that the second run writes nothing and prints the same values.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
export FAKE_AZ_STATE="${work}/graph.json"
export PATH="${here}:${PATH}"
echo '{"tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","applications":[],"servicePrincipals":[],"writes":0}' >"${FAKE_AZ_STATE}"
mi="6f1a3c2e-0b7d-4e59-9a8c-2d4e6f8a0b1c"
script="${here}/../create-app-registration.sh"

check() { jq -e "$1" "${FAKE_AZ_STATE}" >/dev/null || { echo "FAILED: $2" >&2; jq . "${FAKE_AZ_STATE}" >&2; exit 1; }; }

first="$("${script}" --display-name "IamKeyFunc 'test'" --managed-identity-principal-id "${mi}" --require-assignment 2>/dev/null)"
writes_after_first="$(jq '.writes' "${FAKE_AZ_STATE}")"
check '.applications | length == 1' "one application"
check '.applications[0] | .identifierUris == ["api://" + .appId]' "identifier URI api://{appId}"
check '.applications[0].api.requestedAccessTokenVersion == 1' "requestedAccessTokenVersion 1"
check '.applications[0].appRoles | length == 1 and .[0].allowedMemberTypes == ["Application"]' "one application app role"
check '.servicePrincipals | length == 1 and .[0].appRoleAssignmentRequired' "service principal requiring assignment"
check '.servicePrincipals[0].assignments | length == 1' "one app role assignment"
check ".servicePrincipals[0].assignments[0].principalId == \"${mi}\"" "assignment to the managed identity"
grep -q '^ENTRA_APP_ID_URI=api://' <<<"${first}" || { echo "FAILED: output lacks ENTRA_APP_ID_URI" >&2; exit 1; }

second="$("${script}" --display-name "IamKeyFunc 'test'" --managed-identity-principal-id "${mi}" --require-assignment 2>/dev/null)"
writes_after_second="$(jq '.writes' "${FAKE_AZ_STATE}")"
if [[ "${writes_after_second}" != "${writes_after_first}" ]]; then
  echo "FAILED: the second run wrote $((writes_after_second - writes_after_first)) time(s)" >&2
  exit 1
fi
[[ "${first}" == "${second}" ]] || { echo "FAILED: the second run printed different values" >&2; exit 1; }

# Replication lag: a fresh identity is not visible to Graph at once; the script retries the assignment.
echo '{"tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","applications":[],"servicePrincipals":[],"writes":0,"assignmentLag":2}' >"${FAKE_AZ_STATE}"
lagged="$(ENTRA_RETRY_DELAY_SECONDS=0 "${script}" --managed-identity-principal-id "${mi}" --require-assignment 2>&1 >/dev/null)"
check '.servicePrincipals[0].assignments | length == 1' "the assignment after two lagged attempts"
[[ "$(grep -c 'retrying' <<<"${lagged}")" == 2 ]] || { echo "FAILED: expected two retries, got: ${lagged}" >&2; exit 1; }
echo '{"tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","applications":[],"servicePrincipals":[],"writes":0,"assignmentLag":99}' >"${FAKE_AZ_STATE}"
if ENTRA_RETRY_DELAY_SECONDS=0 ENTRA_ASSIGNMENT_ATTEMPTS=3 "${script}" --managed-identity-principal-id "${mi}" >/dev/null 2>&1; then
  echo "FAILED: the script succeeded although the assignment never went through" >&2
  exit 1
fi

echo "create-app-registration.sh: ${writes_after_first} writes on the first run, none on the second; the assignment retried on replication lag"
