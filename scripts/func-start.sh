#!/usr/bin/env bash
# Runs the Function app locally in the Functions host, with Azurite for the host's storage and (by default) the
# loopback AWS emulator instead of AWS, so it needs no AWS or Azure account. This is the README's "func start on
# your machine" section as a script; the host tests run it, so the documented steps cannot drift.
#
#   scripts/func-start.sh [--port N] [--no-emulator] [--settings FILE] [--no-build] [--configuration Release|Debug]
#
#   --port N          the host's HTTP port (default 7071)
#   --no-emulator     use your own settings (FILE, default ./local.settings.json) against real AWS and Azure
#   --settings FILE   the local.settings.json to start from (default: local.settings.sample.json with the emulator)
#   --no-build        use the existing build output of src/IamKeyFunc (and src/IamKeyFunc.Cli for the emulator)
#
# Steps: build; start Azurite on free loopback ports; start the emulator (`iamkeys emulator`) and take the settings
# and the test token it prints; write local.settings.json (the sample, the emulator's settings,
# IamKey__Identity__DevelopmentToken, IamKey__Delivery__Sink=None, Azurite's connection string); start `func start`
# when Azure Functions Core Tools are on the PATH, otherwise the host in $IAMKEY_FUNCTIONS_HOST (a folder holding
# `start-host`, e.g. ../shared/tools/functions-host). Environment variables that are already set win over the file,
# as with `func start`. Ctrl+C (or SIGTERM) stops the host, its worker, the emulator and Azurite.
#
# Azurite: $AZURITE, else tools/azurite/node_modules/.bin/azurite (npm install --prefix tools/azurite azurite),
# else `azurite` on the PATH. Work files (Azurite data, logs, the written settings, the host's keys) go to
# $FUNC_START_STATE (default: a new temporary folder). Lines starting with "func-start:" report progress and PIDs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port=7071 emulator=1 build=1 configuration=Release settings=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --no-emulator) emulator=0; shift ;;
    --settings) settings="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --configuration) configuration="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "func-start: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z "${settings}" ]]; then
  settings="${root}/local.settings.sample.json"
  [[ "${emulator}" == 1 ]] || settings="${root}/local.settings.json"
fi
[[ -f "${settings}" ]] || { echo "func-start: ${settings} not found (cp local.settings.sample.json local.settings.json and fill it in)" >&2; exit 2; }

say() { echo "func-start: $*"; }
state="${FUNC_START_STATE:-$(mktemp -d)}"
mkdir -p "${state}"
app="${root}/src/IamKeyFunc/bin/${configuration}/net10.0"
cli="${root}/src/IamKeyFunc.Cli/bin/${configuration}/net10.0/iamkeys.dll"

pids=()
stop() {
  trap - EXIT INT TERM
  local pid child
  for pid in "${pids[@]}"; do
    for child in $(pgrep -P "${pid}" 2>/dev/null || true); do kill -KILL "${child}" 2>/dev/null || true; done
    kill -KILL "${pid}" 2>/dev/null || true
  done
}
trap stop EXIT
trap 'exit 143' INT TERM

# Waits up to $3 seconds for a line matching $2 in file $1.
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "func-start: timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1; }
    sleep 0.2
  done
}

if [[ "${build}" == 1 ]]; then
  say "building src/IamKeyFunc (${configuration})"
  dotnet build "${root}/src/IamKeyFunc" -c "${configuration}" --nologo -v quiet
  [[ "${emulator}" == 0 ]] || dotnet build "${root}/src/IamKeyFunc.Cli" -c "${configuration}" --nologo -v quiet
fi

# 1. Azurite: the host keeps its locks and timer state there.
azurite="${AZURITE:-${root}/tools/azurite/node_modules/.bin/azurite}"
[[ -x "${azurite}" ]] || azurite="$(command -v azurite || true)"
[[ -n "${azurite}" ]] || { echo "func-start: Azurite not found: npm install --prefix tools/azurite azurite (or set AZURITE)" >&2; exit 3; }
"${azurite}" --silent --skipApiVersionCheck --location "${state}/azurite" \
  --blobHost 127.0.0.1 --blobPort 0 --queueHost 127.0.0.1 --queuePort 0 --tableHost 127.0.0.1 --tablePort 0 \
  > "${state}/azurite.log" 2>&1 &
pids+=($!)
say "azurite pid $!"
wait_for "${state}/azurite.log" "Table service is successfully listening" 180
azurite_port() { grep -o "$1 service is successfully listening at http://127.0.0.1:[0-9]*" "${state}/azurite.log" | grep -o '[0-9]*$'; }
# Azurite's well-known development account (public, the same for every installation).
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$(azurite_port Blob)/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$(azurite_port Queue)/devstoreaccount1;TableEndpoint=http://127.0.0.1:$(azurite_port Table)/devstoreaccount1;"

# 2. The loopback AWS emulator and the settings it prints.
overrides="${state}/overrides.env"
: > "${overrides}"
if [[ "${emulator}" == 1 ]]; then
  dotnet "${cli}" emulator --port 0 > "${state}/emulator.log" 2>&1 &
  pids+=($!)
  say "emulator pid $!"
  wait_for "${state}/emulator.log" "Press Ctrl+C" 180
  grep -E '^  IamKey__Aws__[A-Za-z]+=' "${state}/emulator.log" | sed 's/^  //' >> "${overrides}"
  echo "IamKey__Identity__DevelopmentToken=$(grep -A1 '^Test token' "${state}/emulator.log" | tail -1)" >> "${overrides}"
  # Collect only: nothing is delivered, so the sample's Data Collector placeholders are cleared (a placeholder URI
  # would stop the host: it is not a URI).
  printf '%s\n' IamKey__Delivery__Sink=None IamKey__DataCollector__WorkspaceId= IamKey__DataCollector__KeyVaultUri= >> "${overrides}"
fi

# 3. local.settings.json: the chosen file, the emulator's settings, Azurite, the Development environment.
node - "${settings}" "${overrides}" "${storage}" "${state}/local.settings.json" <<'EOF'
const fs = require('fs');
const [file, overridesFile, storage, out] = process.argv.slice(2);
const local = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
local.Values = local.Values || {};
for (const line of fs.readFileSync(overridesFile, 'utf8').split('\n').filter(Boolean)) {
  const at = line.indexOf('=');
  local.Values[line.slice(0, at)] = line.slice(at + 1);
}
if (!local.Values.AzureWebJobsStorage || local.Values.AzureWebJobsStorage === 'UseDevelopmentStorage=true') {
  local.Values.AzureWebJobsStorage = storage;
}
local.Values.AZURE_FUNCTIONS_ENVIRONMENT = local.Values.AZURE_FUNCTIONS_ENVIRONMENT || 'Development';
fs.writeFileSync(out, JSON.stringify(local, null, 2) + '\n');
EOF
say "settings written to ${state}/local.settings.json"

# 4. The host: func start (Core Tools) or start-host.
if command -v func > /dev/null; then
  cp "${state}/local.settings.json" "${app}/local.settings.json"
  say "starting func start on port ${port}"
  (cd "${app}" && exec func start --port "${port}") &
else
  host="${IAMKEY_FUNCTIONS_HOST:-}"
  [[ -x "${host}/start-host" ]] || { echo "func-start: no Functions host: install Azure Functions Core Tools (func) or set IAMKEY_FUNCTIONS_HOST to a folder with start-host" >&2; exit 3; }
  # Values become environment variables unless already set (func start does the same).
  while IFS= read -r -d '' entry; do
    name="${entry%%=*}"
    [[ -n "${!name+x}" ]] || export "${entry?}"
  done < <(node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).Values;
    for (const [k, x] of Object.entries(v)) process.stdout.write(`${k}=${x ?? ""}\0`);' "${state}/local.settings.json")
  export FUNCTIONS_HOST_STATE="${FUNCTIONS_HOST_STATE:-${state}/host}"
  say "starting ${host}/start-host on port ${port} (keys in ${FUNCTIONS_HOST_STATE}/secrets/host.json)"
  "${host}/start-host" "${app}" "${port}" &
fi
pids+=($!)
say "host pid $!"
wait "${pids[-1]}"
