# Shared by profile.sh and instructions.sh (sourced): where output goes, a free-ish port,
# the fixtures' admin key and conversation, and lifting the rate limits out of reach.
OUT=.bench/profile
mkdir -p "$OUT"
PORT=$((20000 + RANDOM % 20000))
URL="http://127.0.0.1:$PORT"
AUTH="authorization: Bearer kmk_acme_admin_7c3e9a1f5d2b8e64"
CONV=/v1/conversations/64a0c0ffee00000000000b01

raise_limits() {
  curl -s -o /dev/null -X PUT "$URL/__admin/limits" -H 'content-type: application/json' \
    -d '{"requestsPerWindow":4294967295,"objectUpdatesPerWindow":4294967295}'
}
