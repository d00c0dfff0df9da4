#!/usr/bin/env bash
# Profiles `kmock serve` under the bench's load with `perf record` (cpu-clock samples, so
# it works in VMs without hardware counters) and prints the hottest functions.
#   harness/bench/profile.sh get|put|list [SECONDS] [CONNECTIONS]
# Needs a release build (`make bench` builds one) and `perf`. Output: .bench/profile/.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT=${1:-get}
SECONDS_=${2:-5}
CONNS=${3:-32}
TARGET=${CARGO_TARGET_DIR:-target}
BIN="$TARGET/release"
# shellcheck source=harness/bench/common.sh
. harness/bench/common.sh

perf record -e cpu-clock -F 1999 --call-graph dwarf,32768 -o "$OUT/$WHAT.data" -- \
  "$BIN/kmock" serve --port "$PORT" --clock virtual --no-workflows --no-apps >/dev/null 2>"$OUT/perf-record.log" &
PERF=$!
for _ in $(seq 200); do curl -s -o /dev/null "$URL/__admin/limits" && break; sleep 0.05; done
raise_limits
case "$WHAT" in
  get) "$BIN/kmock-bench" load "$URL$CONV" -H "$AUTH" --connections "$CONNS" --rounds 1 --seconds "$SECONDS_" ;;
  put) "$BIN/kmock-bench" load "$URL$CONV" -H "$AUTH" -H 'content-type: application/json' -X PUT \
         -d '{"priority":1}' -d '{"priority":2}' --connections "$CONNS" --rounds 1 --seconds "$SECONDS_" ;;
  list) "$BIN/kmock-bench" load "$URL/v1/conversations?page=1" -H "$AUTH" --connections "$CONNS" --rounds 1 --seconds "$SECONDS_" ;;
  *) echo "usage: $0 get|put|list [SECONDS] [CONNECTIONS]" >&2; kill -INT "$PERF"; exit 2 ;;
esac
kill -INT "$PERF"
wait "$PERF" || true
perf report -i "$OUT/$WHAT.data" --no-children --stdio --percent-limit 0.7 -g none 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | head -60 | tee "$OUT/$WHAT.txt"
