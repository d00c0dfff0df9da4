#!/usr/bin/env bash
# `make sync-tap-kustomer`: a real sync client against the mock. tap-kustomer (the Singer
# tap, from PyPI into .fuzz/tap-venv) discovers its streams, syncs the ones in
# TAP_STREAMS from a `kmock serve` of this checkout, and each must end without an error
# and with at least one record.
#
# The tap hard-codes https://api.kustomerapp.com/v1; a three-line wrapper points its
# client at the mock instead, and nothing else is changed.
#
# Environment: TAP_KUSTOMER_VERSION (default 1.1.0), TAP_STREAMS (space-separated; default
# every stream the mock serves).
set -euo pipefail
cd "$(dirname "$0")/.."

version="${TAP_KUSTOMER_VERSION:-1.1.0}"
streams="${TAP_STREAMS:-customers conversations messages notes kobjects users teams tags shortcuts}"
venv=.fuzz/tap-venv
work=.fuzz/tap
mkdir -p "$work"

if ! "$venv/bin/pip" show tap-kustomer 2>/dev/null | grep -q "^Version: $version$"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "tap-kustomer==$version"
fi

cargo build --release --quiet --bin kmock
log="$work/server.log"
target/release/kmock serve --port 0 --no-workflows >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n1 || true)
    [ -n "$url" ] && break
    kill -0 $server 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "kmock serve did not start:"; cat "$log"; exit 1; }

# The fixtures hold no message: record one, as a channel would, so the messages stream has
# something to sync.
curl --silent --fail --show-error -X POST "$url/v1/conversations/64a0c0ffee00000000000b01/messages" \
    -H 'authorization: Bearer kmk_acme_admin_7c3e9a1f5d2b8e64' -H 'content-type: application/json' \
    -d '{"channel": "email", "app": "postmark", "direction": "in", "preview": "Any news on my order?"}' >/dev/null

cat >"$work/config.json" <<JSON
{"api_token": "kmk_acme_readonly_8e1f6b2c9d3a7e40", "start_date": "2020-01-01T00:00:00Z",
 "user_agent": "kustomer-mock tap check", "page_size_limit": "2"}
JSON
tap() {
    KMOCK_URL="$url/v1" "$venv/bin/python" -c '
import os, sys
import tap_kustomer, tap_kustomer.client as client
init = client.KustomerClient.__init__
def at_the_mock(self, *args, **kwargs):
    init(self, *args, **kwargs)
    self.base_url = os.environ["KMOCK_URL"]
client.KustomerClient.__init__ = at_the_mock
sys.argv = ["tap-kustomer"] + sys.argv[1:]
tap_kustomer.main()
' "$@"
}

tap --config "$work/config.json" --discover >"$work/catalog.json"
"$venv/bin/python" - "$work/catalog.json" $streams <<'PY'
import json, sys
path, wanted = sys.argv[1], set(sys.argv[2:])
catalog = json.load(open(path))
for stream in catalog["streams"]:
    for entry in stream["metadata"]:
        if entry["breadcrumb"] == []:
            entry["metadata"]["selected"] = stream["tap_stream_id"] in wanted
json.dump(catalog, open(path, "w"))
PY

tap --config "$work/config.json" --catalog "$work/catalog.json" >"$work/output.jsonl" 2>"$work/tap.log" || {
    echo "tap-kustomer failed:"; tail -n 20 "$work/tap.log"; exit 1;
}
"$venv/bin/python" - "$work/output.jsonl" $streams <<'PY'
import collections, json, sys
path, wanted = sys.argv[1], sys.argv[2:]
records, ids = collections.Counter(), collections.defaultdict(set)
for line in open(path):
    message = json.loads(line)
    if message.get("type") == "RECORD":
        records[message["stream"]] += 1
        ids[message["stream"]].add(message["record"].get("id"))
failed = False
for stream in wanted:
    print(f"{stream:14} {records[stream]:4} records, {len(ids[stream]):4} distinct")
    failed |= records[stream] == 0
sys.exit(1 if failed else 0)
PY
echo "tap-kustomer $version synced: $streams"
