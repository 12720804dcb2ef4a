#!/usr/bin/env bash
# Creates (or finds) the Entra app registration that AWS trusts as the token audience for IamKeyFunc:
#   - identifier URI api://{appId} and api.requestedAccessTokenVersion = 1, so the managed identity gets v1 tokens
#     with iss=https://sts.windows.net/{tenant}/ and aud=api://{appId} (what the AWS OIDC provider expects);
#   - its service principal, optionally with "assignment required" and an app role assigned to the managed identity.
# Idempotent: every write is preceded by a read, and a second run changes nothing.
# Needs: Azure CLI, logged in as Cloud Application Administrator or Application Administrator (creating an app needs
# Application Developer; an app with assignment required and its app-role assignment need one of the two admin roles,
# owning the app is not enough), and jq. The Bicep deployment (createEntraApp=true) does the same with the Graph
# extension; use this script where the deployer cannot use the extension.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: create-app-registration.sh [options]

  --display-name NAME               App registration display name (default: IamKeyFunc AWS federation)
  --managed-identity-principal-id ID
                                    Object ID of the Function's managed identity (Bicep output
                                    MANAGED_IDENTITY_PRINCIPAL_ID); assigns it the app role
  --require-assignment              Only principals assigned to the app role may get tokens
                                    (needs --managed-identity-principal-id)
  --app-role-value VALUE            App role value (default: AssumeRoleWithWebIdentity)
  -h, --help                        This help
EOF
}

display_name="IamKeyFunc AWS federation"
mi_principal_id=""
require_assignment=false
app_role_value="AssumeRoleWithWebIdentity"
# Retries of the app role assignment on replication lag (the delay grows: 1x, 2x, ... seconds).
assignment_attempts="${ENTRA_ASSIGNMENT_ATTEMPTS:-6}"
retry_delay="${ENTRA_RETRY_DELAY_SECONDS:-10}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --display-name) display_name="${2:?--display-name needs a value}"; shift 2 ;;
    --managed-identity-principal-id) mi_principal_id="${2:?--managed-identity-principal-id needs a value}"; shift 2 ;;
    --require-assignment) require_assignment=true; shift ;;
    --app-role-value) app_role_value="${2:?--app-role-value needs a value}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "Unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [[ "$require_assignment" == true && -z "$mi_principal_id" ]]; then
  echo "--require-assignment needs --managed-identity-principal-id, or nobody could get a token." >&2
  exit 2
fi

for tool in az jq; do
  command -v "$tool" >/dev/null || { echo "$tool is required." >&2; exit 2; }
done

log() { printf '%s\n' "$*" >&2; }

new_guid() {
  if command -v uuidgen >/dev/null; then uuidgen | tr '[:upper:]' '[:lower:]'; else cat /proc/sys/kernel/random/uuid; fi
}

# Microsoft Graph of the current cloud (graph.microsoft.com, graph.microsoft.us, microsoftgraph.chinacloudapi.cn).
graph_root="$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)"
graph="${graph_root%/}/v1.0"

graph_get() { az rest --method GET --url "$graph/$1" --only-show-errors; }
graph_write() { az rest --method "$1" --url "$graph/$2" --headers 'Content-Type=application/json' --body "$3" --only-show-errors >/dev/null; }

tenant_id="$(az account show --query tenantId -o tsv)"

# 1. The application, found by display name.
filter="displayName eq '${display_name//\'/\'\'}'"
apps="$(az rest --method GET --url "$graph/applications" --url-parameters "\$filter=$filter" "\$select=id,appId" --only-show-errors)"
count="$(jq '.value | length' <<<"$apps")"
if [[ "$count" -gt 1 ]]; then
  echo "More than one application is named '$display_name'; pass a unique --display-name." >&2
  exit 1
elif [[ "$count" -eq 1 ]]; then
  app_object_id="$(jq -r '.value[0].id' <<<"$apps")"
  app_id="$(jq -r '.value[0].appId' <<<"$apps")"
  log "Application '$display_name' exists: appId $app_id"
else
  created="$(az rest --method POST --url "$graph/applications" --headers 'Content-Type=application/json' \
    --body "$(jq -n --arg name "$display_name" '{displayName: $name, signInAudience: "AzureADMyOrg"}')" --only-show-errors)"
  app_object_id="$(jq -r '.id' <<<"$created")"
  app_id="$(jq -r '.appId' <<<"$created")"
  log "Created application '$display_name': appId $app_id"
fi
app_id_uri="api://$app_id"

app="$(graph_get "applications/$app_object_id")"

# 2. Identifier URI api://{appId} (the only form tenants with the nonDefaultUriAddition policy accept).
if jq -e --arg uri "$app_id_uri" '.identifierUris | index($uri)' <<<"$app" >/dev/null; then
  log "Identifier URI $app_id_uri: already set"
else
  graph_write PATCH "applications/$app_object_id" \
    "$(jq -c --arg uri "$app_id_uri" '{identifierUris: (.identifierUris + [$uri])}' <<<"$app")"
  log "Identifier URI $app_id_uri: added"
fi

# 3. v1 access tokens (iss https://sts.windows.net/{tenant}/, aud api://{appId}); az cannot set this, Graph can.
if [[ "$(jq -r '.api.requestedAccessTokenVersion // "null"' <<<"$app")" == "1" ]]; then
  log "requestedAccessTokenVersion: already 1"
else
  graph_write PATCH "applications/$app_object_id" '{"api":{"requestedAccessTokenVersion":1}}'
  log "requestedAccessTokenVersion: set to 1"
fi

# 4. The app role the managed identity is assigned to (only when an identity is given).
app_role_id=""
if [[ -n "$mi_principal_id" ]]; then
  app_role_id="$(jq -r --arg value "$app_role_value" '.appRoles[] | select(.value == $value) | .id' <<<"$app")"
  if [[ -n "$app_role_id" ]]; then
    log "App role $app_role_value: exists"
  else
    app_role_id="$(new_guid)"
    graph_write PATCH "applications/$app_object_id" "$(jq -c --arg id "$app_role_id" --arg value "$app_role_value" '{appRoles: (.appRoles + [{
        id: $id, value: $value, isEnabled: true, allowedMemberTypes: ["Application"],
        displayName: "Assume the AWS role with web identity",
        description: "Lets the IamKeyFunc managed identity get tokens that AWS trusts."}])}' <<<"$app")"
    log "App role $app_role_value: created"
  fi
fi

# 5. The service principal (without it Entra answers AADSTS500011 for the resource).
sps="$(az rest --method GET --url "$graph/servicePrincipals" --url-parameters "\$filter=appId eq '$app_id'" --only-show-errors)"
sp_object_id="$(jq -r '.value[0].id // empty' <<<"$sps")"
if [[ -n "$sp_object_id" ]]; then
  log "Service principal: exists ($sp_object_id)"
else
  sp_object_id="$(az rest --method POST --url "$graph/servicePrincipals" --headers 'Content-Type=application/json' \
    --body "$(jq -n --arg appId "$app_id" '{appId: $appId}')" --only-show-errors | jq -r '.id')"
  log "Service principal: created ($sp_object_id)"
fi
sp="$(graph_get "servicePrincipals/$sp_object_id")"

# 6. Assignment required (optional): unassigned callers then get AADSTS501051.
if [[ "$require_assignment" == true ]]; then
  if [[ "$(jq -r '.appRoleAssignmentRequired' <<<"$sp")" == "true" ]]; then
    log "Assignment required: already on"
  else
    graph_write PATCH "servicePrincipals/$sp_object_id" '{"appRoleAssignmentRequired":true}'
    log "Assignment required: turned on"
  fi
fi

# 7. The managed identity's app role assignment.
if [[ -n "$mi_principal_id" ]]; then
  assigned="$(graph_get "servicePrincipals/$sp_object_id/appRoleAssignedTo" |
    jq -r --arg p "$mi_principal_id" --arg r "$app_role_id" '[.value[] | select(.principalId == $p and .appRoleId == $r)] | length')"
  if [[ "$assigned" -gt 0 ]]; then
    log "App role assignment to $mi_principal_id: exists"
  else
    # A just-created app role, service principal or managed identity may not have replicated yet: Graph then answers
    # 400/404 ("does not exist", "Permission being assigned was not found"). Retry with a growing pause.
    body="$(jq -n --arg p "$mi_principal_id" --arg s "$sp_object_id" --arg r "$app_role_id" '{principalId: $p, resourceId: $s, appRoleId: $r}')"
    attempt=1
    until graph_write POST "servicePrincipals/$sp_object_id/appRoleAssignedTo" "$body"; do
      if [[ "$attempt" -ge "$assignment_attempts" ]]; then
        echo "The app role assignment still failed after $attempt attempts (replication lag, or the identity $mi_principal_id does not exist)." >&2
        exit 1
      fi
      log "App role assignment: not yet possible (replication lag?), retrying in $((attempt * retry_delay))s"
      sleep "$((attempt * retry_delay))"
      attempt=$((attempt + 1))
    done
    log "App role assignment to $mi_principal_id: created"
  fi
fi

# What the other templates need (stdout, KEY=value, so it can be captured).
cat <<EOF
AZURE_TENANT_ID=$tenant_id
ENTRA_APP_ID=$app_id
ENTRA_APP_ID_URI=$app_id_uri
ENTRA_SERVICE_PRINCIPAL_ID=$sp_object_id
AWS_OIDC_PROVIDER_URL=https://sts.windows.net/$tenant_id/
EOF
