#!/usr/bin/env bash
# `make fuzz-schemathesis`: schemathesis (from PyPI, into .fuzz/venv) against the OpenAPI
# document, on a kmock server of this checkout with the example fixtures.
#
# Checks: every schemathesis check but two, which test rules a schema cannot state:
# - positive_data_acceptance: a body can be schema-valid and still name a customer or tag
#   the org does not have (a 400 that is right);
# - use_after_free: deleting a tag is soft in Kustomer, so a deleted tag stays readable.
# Any 5xx, any answer outside the document, any schema-invalid request accepted fails.
#
# Environment: SCHEMATHESIS_VERSION, FUZZ_EXAMPLES (per operation), FUZZ_SEED.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${SCHEMATHESIS_VERSION:-4.32.5}"
examples="${FUZZ_EXAMPLES:-100}"
seed="${FUZZ_SEED:-7}"
venv=.fuzz/venv

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$version" openapi-spec-validator
fi

cargo build --release --quiet --bin kmock
kmock=target/release/kmock
"$kmock" openapi --output .fuzz/openapi.json
"$venv/bin/openapi-spec-validator" .fuzz/openapi.json

log=.fuzz/server.log
"$kmock" serve --port 0 --no-workflows >"$log" 2>&1 &
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

# The rate limits are the mock's to test elsewhere: lift them so requests reach handlers.
curl --silent --fail --show-error -X PUT "$url/__admin/limits" \
    -H 'content-type: application/json' \
    -d '{"requestsPerWindow": 1000000000, "objectUpdatesPerWindow": 1000000000, "searchPerWindow": 1000000000, "customerCreatesPerWindow": 1000000000, "customerMessagesPerWindow": 1000000000}' \
    >/dev/null

"$venv/bin/schemathesis" run .fuzz/openapi.json \
    --url "$url" \
    --header "Authorization: Bearer kmk_acme_admin_7c3e9a1f5d2b8e64" \
    --checks all \
    --exclude-checks positive_data_acceptance,use_after_free \
    --max-examples "$examples" \
    --seed "$seed" \
    --workers 1 \
    --report junit --report-dir .fuzz/report

kill -0 $server 2>/dev/null || { echo "kmock serve died during the run:"; cat "$log"; exit 1; }
echo "schemathesis: no server errors, every answer as documented"
