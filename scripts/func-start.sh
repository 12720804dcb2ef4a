#!/usr/bin/env bash
# Runs the Function app locally in the Functions host, with Azurite for the host's storage and (by default) the
# loopback AWS emulator instead of AWS, so it needs no AWS or Azure account. This is the README's "func start on
# your machine" section as a script; the host tests run it, so the documented steps cannot drift.
#
#   scripts/func-start.sh [--port N] [--no-emulator] [--settings FILE] [--no-build] [--configuration Release|Debug] [--verbose]
#
#   --port N          the host's HTTP port (default 7071)
#   --no-emulator     use your own settings (FILE, default ./local.settings.json) against real AWS and Azure
#   --settings FILE   the local.settings.json to start from (default: local.settings.sample.json with the emulator)
#   --no-build        use the existing build output of src/IamKeyFunc (and src/IamKeyFunc.Cli for the emulator)
#   --verbose         the host's whole log (its configuration, every storage request); by default only the start,
#                     each run and each problem
#
# Steps: build; start Azurite on free loopback ports; start the emulator (`iamkeys emulator`) and take the settings
# and the test token it prints; write local.settings.json (the sample, the emulator's settings,
# IamKey__Identity__DevelopmentToken, IamKey__Delivery__Sink=None, Azurite's connection string); start `func start`
# when Azure Functions Core Tools are on the PATH, otherwise the host in $IAMKEY_FUNCTIONS_HOST (a folder holding
# `start-host`, e.g. ../shared/tools/functions-host), which enforces function keys: the script then writes the host's
# key file (a new random master and function key) unless it exists. Once the host runs, it prints the line
# "func-start: ready: curl ..." that runs a dry-run refresh, with the key (nothing when the host never gets there). Environment variables that are already set
# win over the file, as with `func start`. Ctrl+C (or SIGTERM) stops the host, its worker, the emulator and Azurite.
#
# Azurite: $AZURITE, else tools/azurite/node_modules/.bin/azurite (npm install --prefix tools/azurite azurite),
# else `azurite` on the PATH. Work files (Azurite data, logs, the written settings, the host's keys) go to
# $FUNC_START_STATE (default: a new temporary folder). Lines starting with "func-start:" report progress and PIDs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port=7071 emulator=1 build=1 configuration=Release settings="" verbose=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --no-emulator) emulator=0; shift ;;
    --settings) settings="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --configuration) configuration="$2"; shift 2 ;;
    --verbose) verbose=1; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
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
# The processes started by $1, and theirs (the host's worker is the host's child).
descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    descendants "${child}"
    echo "${child}"
  done
}
stop() {
  trap - EXIT INT TERM
  local pid child
  for pid in "${pids[@]}"; do
    for child in $(descendants "${pid}"); do kill -KILL "${child}" 2>/dev/null || true; done
    kill -KILL "${pid}" 2>/dev/null || true
    # Reaped at once, before anything else runs: reaped later, bash would report it as "Killed" on the way out.
    wait "${pid}" 2>/dev/null || true
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
  {
    grep -E '^  IamKey__Aws__[A-Za-z]+=' "${state}/emulator.log" | sed 's/^  //'
    echo "IamKey__Identity__DevelopmentToken=$(grep -A1 '^Test token' "${state}/emulator.log" | tail -1)"
    # Collect only: nothing is delivered, so the sample's Data Collector placeholders are cleared (a placeholder URI
    # would stop the host: it is not a URI).
    printf '%s\n' IamKey__Delivery__Sink=None IamKey__DataCollector__WorkspaceId= IamKey__DataCollector__KeyVaultUri=
  } >> "${overrides}"
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

# 4. What the host logs: by default the worker's start, the routes, each invocation (Function.*, with the app's own
# lines) and every warning or error; not the configuration dumps (Host.Startup: the script says when the host is
# ready) nor the Azure SDK's line per storage request. A setting already in the environment wins, and --verbose keeps
# the host's defaults.
host_logging=()
if [[ "${verbose}" == 0 ]]; then
  for level in default=Warning Function=Information Worker=Information Azure.Core=Error \
    Microsoft.Azure.WebJobs.Script.WebHost.WebScriptHostHttpRoutesManager=Information; do
    name="AzureFunctionsJobHost__logging__logLevel__${level%%=*}"
    printenv "${name}" > /dev/null || host_logging+=("${name}=${level#*=}")
  done
  # The web host's own logging (before host.json is read, and around it): host.json twice, the extensions, a JSON
  # block for every HTTP request it serves. The routes stay.
  for level in Host.Startup=Warning Host.General=Warning Microsoft.Azure.WebJobs.Script=Warning \
    Microsoft.Azure.WebJobs.Script.WebHost.WebScriptHostHttpRoutesManager=Information; do
    name="Logging__LogLevel__${level%%=*}"
    printenv "${name}" > /dev/null || host_logging+=("${name}=${level#*=}")
  done
fi

# 5. The host: func start (Core Tools, which enforces no keys) or start-host (which does: the key file is written first).
key=""
if command -v func > /dev/null; then
  cp "${state}/local.settings.json" "${app}/local.settings.json"
  say "starting func start on port ${port}"
  (cd "${app}" && exec env "${host_logging[@]}" func start --port "${port}") &
else
  host="${IAMKEY_FUNCTIONS_HOST:-}"
  [[ -x "${host}/start-host" ]] || { echo "func-start: no Functions host: install Azure Functions Core Tools (func) or set IAMKEY_FUNCTIONS_HOST to a folder with start-host" >&2; exit 3; }
  # Values become environment variables unless already set (func start does the same).
  # shellcheck disable=SC2016 # a JavaScript template literal, not a shell expansion
  while IFS= read -r -d '' entry; do
    name="${entry%%=*}"
    [[ -n "${!name+x}" ]] || export "${entry?}"
  done < <(node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).Values;
    for (const [k, x] of Object.entries(v)) process.stdout.write(`${k}=${x ?? ""}\0`);' "${state}/local.settings.json")
  export FUNCTIONS_HOST_STATE="${FUNCTIONS_HOST_STATE:-${state}/host}"
  keys="${FUNCTIONS_HOST_STATE}/secrets/host.json"
  # The host creates its key file only on the first request that carries a key, so the first curl would get 401:
  # write it now (random keys, readable by you only), the way the host does (UTF-8 with a byte-order mark).
  if [[ ! -f "${keys}" ]]; then
    mkdir -p "${FUNCTIONS_HOST_STATE}/secrets"
    (umask 077 && node -e '
      const { randomBytes } = require("crypto");
      const key = () => randomBytes(40).toString("base64url");
      const keys = { masterKey: { name: "master", value: key(), encrypted: false },
        functionKeys: [{ name: "default", value: key(), encrypted: false }], systemKeys: [], hostName: null,
        instanceId: randomBytes(16).toString("hex"), source: "runtime", decryptionKeyId: "" };
      require("fs").writeFileSync(process.argv[1], "\uFEFF" + JSON.stringify(keys, null, 2));' "${keys}")
  fi
  read -r key master < <(node -e '
    const k = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").replace(/^\uFEFF/, ""));
    const plain = (x) => (x && !x.encrypted ? x.value : "");
    console.log(plain((k.functionKeys || []).find((f) => f.name === "default")) || "-", plain(k.masterKey) || "-");' "${keys}")
  say "starting ${host}/start-host on port ${port} (keys in ${keys})"
  env "${host_logging[@]}" "${host}/start-host" "${app}" "${port}" &
fi
pids+=($!)
say "host pid $!"

# 6. Once the host runs (its status says Running; without a master key, its home page answers), the line to paste: a
# dry-run refresh, with the function key when keys are enforced.
running() {
  node -e '
    const [url, key] = process.argv.slice(1);
    const request = require("http").get(url, { headers: key ? { "x-functions-key": key } : {}, timeout: 2000 }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => process.exit(response.statusCode === 200 && (!key || /"state":\s*"Running"/.test(body)) ? 0 : 1));
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => process.exit(1));' "$@"
}
if [[ -n "${master:-}" && "${master}" != "-" ]]; then
  probe=("http://127.0.0.1:${port}/admin/host/status" "${master}")
else
  probe=("http://127.0.0.1:${port}/")
fi
deadline=$((SECONDS + 300))
until running "${probe[@]}"; do
  if ! kill -0 "${pids[-1]}" 2>/dev/null || ((SECONDS >= deadline)); then break; fi
  sleep 0.5
done
if kill -0 "${pids[-1]}" 2>/dev/null && running "${probe[@]}"; then
  refresh="curl -X POST \"http://localhost:${port}/api/report/refresh?dryRun=true\""
  if [[ -n "${key}" && "${key}" != "-" ]]; then
    refresh+=" -H \"x-functions-key: ${key}\""
  elif [[ -n "${key}" ]]; then
    refresh+=" -H \"x-functions-key: <the default function key in ${keys}>\""
  fi
  say "ready: ${refresh}"
fi
wait "${pids[-1]}"
