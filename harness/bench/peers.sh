#!/usr/bin/env bash
# `make bench-peers`: installs the peer mocks from npm into .bench/peers (git ignores it),
# configures each to serve the same GET of one conversation with the body `kmock serve`
# answers, and has kmock-bench measure them next to `kmock serve` with the same load
# generator and connections. A peer that cannot be installed, configured or run is
# listed with the reason, and the others are measured anyway.
set -uo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SCRATCH="$ROOT/.bench/peers"
CARGO=${CARGO:-cargo}
BENCH=("$CARGO" run --release -q -p kmock-bench --)
CONVERSATION=64a0c0ffee00000000000b01
URL_PATH="/v1/conversations/$CONVERSATION"

mkdir -p "$SCRATCH"
[ -f "$SCRATCH/package.json" ] || echo '{"private": true}' >"$SCRATCH/package.json"

echo "bench-peers: the body kmock serve answers for GET $URL_PATH"
if ! "${BENCH[@]}" peer-body --out "$SCRATCH/body.json"; then
  echo "bench-peers: kmock serve did not answer the conversation; nothing to compare with" >&2
  exit 1
fi

# A JSON string of $1 (quotes, backslashes and control characters escaped).
json_string() {
  printf '%s' "$1" | tr '\n\r\t' '   ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/"/'
}

ENTRIES=()

# skip NAME REASON
skip() {
  echo "bench-peers: $1 is not measured: $2" >&2
  ENTRIES+=("{\"name\": $(json_string "$1"), \"skip\": $(json_string "$2")}")
}

# measured NAME VERSION CWD ARG... (`{port}` in an argument becomes the port)
measured() {
  local name=$1 version=$2 cwd=$3
  shift 3
  local args="" a
  for a in "$@"; do
    args+="${args:+, }$(json_string "$a")"
  done
  ENTRIES+=("{\"name\": $(json_string "$name"), \"version\": $(json_string "$version"), \"cwd\": $(json_string "$cwd"), \"path\": $(json_string "$URL_PATH"), \"command\": [$args]}")
}

# install PACKAGE: 0 when the package is there; otherwise prints why not.
install() {
  local package=$1 log
  log="$SCRATCH/npm-install-$(echo "$package" | tr '/@' '__').log"
  if [ -f "$SCRATCH/node_modules/$package/package.json" ]; then
    return 0
  fi
  echo "bench-peers: npm install $package" >&2
  if npm install --prefix "$SCRATCH" --no-audit --no-fund --loglevel=error "$package" >"$log" 2>&1; then
    return 0
  fi
  echo "npm install $package failed: $(grep -m1 -i 'err' "$log" || tail -n1 "$log")"
  return 1
}

version_of() {
  node -e "console.log(require(process.argv[1]).version)" "$SCRATCH/node_modules/$1/package.json" 2>/dev/null || echo "?"
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  for peer in "WireMock (npm wiremock)" "Mockoon CLI (@mockoon/cli)" "json-server"; do
    skip "$peer" "node and npm are needed to install it, and are not on PATH"
  done
else
  # WireMock: the npm package runs the WireMock jar with the machine's Java.
  name="WireMock (npm wiremock)"
  if ! command -v java >/dev/null; then
    skip "$name" "it runs the WireMock jar, and no java is on PATH"
  elif why=$(install wiremock); then
    mkdir -p "$SCRATCH/wiremock/mappings"
    if node -e '
      const fs = require("fs");
      const [body, path, out] = process.argv.slice(1);
      fs.writeFileSync(out, JSON.stringify({
        request: { method: "GET", url: path },
        response: { status: 200, headers: { "Content-Type": "application/json; charset=utf-8" },
                    body: fs.readFileSync(body, "utf8") },
      }, null, 2));
    ' "$SCRATCH/body.json" "$URL_PATH" "$SCRATCH/wiremock/mappings/conversation.json"; then
      measured "$name" "$(version_of wiremock), $(java -version 2>&1 | head -n1 | tr -d '"')" "$SCRATCH" \
        "$SCRATCH/node_modules/.bin/wiremock" --port "{port}" --bind-address 127.0.0.1 \
        --root-dir "$SCRATCH/wiremock" --disable-banner
    else
      skip "$name" "its mapping could not be written"
    fi
  else
    skip "$name" "$why"
  fi

  # Mockoon CLI: an environment file with one route, built with Mockoon's own builders.
  name="Mockoon CLI (@mockoon/cli)"
  if why=$(install @mockoon/cli); then
    mkdir -p "$SCRATCH/mockoon"
    if (cd "$SCRATCH" && node -e '
      const fs = require("fs");
      const commons = require("@mockoon/commons");
      const [body, path, out] = process.argv.slice(1);
      const environment = commons.BuildEnvironment({ hasDefaultRoute: false });
      environment.name = "kmock-bench";
      const route = commons.BuildHTTPRoute(true, { endpoint: path.slice(1), body: fs.readFileSync(body, "utf8") });
      route.responses[0].headers = [{ key: "Content-Type", value: "application/json; charset=utf-8" }];
      environment.routes = [route];
      environment.rootChildren = [{ type: "route", uuid: route.uuid }];
      fs.writeFileSync(out, JSON.stringify(environment, null, 2));
    ' "$SCRATCH/body.json" "$URL_PATH" "$SCRATCH/mockoon/environment.json"); then
      measured "$name" "$(version_of @mockoon/cli)" "$SCRATCH" \
        "$SCRATCH/node_modules/.bin/mockoon-cli" start --data "$SCRATCH/mockoon/environment.json" \
        --port "{port}" --hostname 127.0.0.1 --disable-log-to-file
    else
      skip "$name" "its environment file could not be built with @mockoon/commons"
    fi
  else
    skip "$name" "$why"
  fi

  # json-server: the body as an object resource, routed from the conversation's path.
  name="json-server"
  if why=$(install json-server); then
    mkdir -p "$SCRATCH/json-server"
    if node -e '
      const fs = require("fs");
      const [body, path, dir] = process.argv.slice(1);
      fs.writeFileSync(dir + "/db.json", JSON.stringify({ conversation: JSON.parse(fs.readFileSync(body, "utf8")) }));
      fs.writeFileSync(dir + "/routes.json", JSON.stringify({ [path]: "/conversation" }));
    ' "$SCRATCH/body.json" "$URL_PATH" "$SCRATCH/json-server"; then
      measured "$name" "$(version_of json-server)" "$SCRATCH/json-server" \
        "$SCRATCH/node_modules/.bin/json-server" "$SCRATCH/json-server/db.json" \
        --routes "$SCRATCH/json-server/routes.json" --port "{port}" --host 127.0.0.1 --quiet
    else
      skip "$name" "its db.json could not be written"
    fi
  else
    skip "$name" "$why"
  fi
fi

LIST="$SCRATCH/peers.json"
{
  echo '{"peers": ['
  for i in "${!ENTRIES[@]}"; do
    printf '  %s%s\n' "${ENTRIES[$i]}" "$([ "$i" -lt $((${#ENTRIES[@]} - 1)) ] && echo ,)"
  done
  echo ']}'
} >"$LIST"

echo "bench-peers: measuring kmock serve and the peers of $LIST" >&2
exec "${BENCH[@]}" peers --list "$LIST" "$@"
