#!/usr/bin/env bash
# Instructions per request of `kmock serve` (server side only), counted by callgrind:
# exact and unmoved by other work on the machine, unlike time. For before/after
# comparisons of an optimization.
#   harness/bench/instructions.sh get|put|list|tag|baseline [REQUESTS] [KMOCK_BINARY] [BENCH_BINARY]
set -euo pipefail
cd "$(dirname "$0")/../.."
WHAT=${1:-get}
N=${2:-2000}
TARGET=${CARGO_TARGET_DIR:-target}
KMOCK=${3:-$TARGET/release/kmock}
BENCH=${4:-$TARGET/release/kmock-bench}
# shellcheck source=harness/bench/common.sh
. harness/bench/common.sh
FILE="$OUT/callgrind.$WHAT.out"
rm -f "$FILE"

SERVER=("$KMOCK" serve --port "$PORT" --clock virtual)
[ "$WHAT" = tag ] || SERVER+=(--no-workflows --no-apps)
# The bare axum route of the bench's baseline, for the floor of this stack.
[ "$WHAT" = baseline ] && SERVER=("$BENCH" serve-baseline --port "$PORT")
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$FILE" \
  "${SERVER[@]}" >/dev/null 2>"$OUT/callgrind.$WHAT.log" &
VG=$!
for _ in $(seq 600); do curl -s -o /dev/null "$URL/" && break; sleep 0.1; done
[ "$WHAT" = baseline ] || raise_limits
# Warm the paths once (lazy statics, first allocations), then count.
run() {
  case "$WHAT" in
    get) "$BENCH" load "$URL$CONV" -H "$AUTH" --count "$1" ;;
    baseline) "$BENCH" load "$URL/hello" --count "$1" ;;
    put) "$BENCH" load "$URL$CONV" -H "$AUTH" -H 'content-type: application/json' -X PUT \
           -d '{"priority":1}' -d '{"priority":2}' --count "$1" ;;
    list) "$BENCH" load "$URL/v1/conversations?page=1" -H "$AUTH" --count "$1" ;;
    tag) # add, then remove, the auto-close tag: each add runs close-on-tag (a PUT back)
      "$BENCH" load "$URL$CONV/tags" -H "$AUTH" -H 'content-type: application/json' -X POST \
        -d '["auto-close"]' --count 1 >/dev/null
      "$BENCH" load "$URL$CONV/tags" -H "$AUTH" -H 'content-type: application/json' -X DELETE \
        -d '["auto-close"]' --count 1 >/dev/null ;;
  esac
}
if [ "$WHAT" = tag ]; then
  # Each round: tag (→ one closing run, its PUT, a not-matched run), untag, reopen.
  round() {
    run 1
    "$BENCH" load "$URL$CONV" -H "$AUTH" -H 'content-type: application/json' -X PUT -d '{"status":"open"}' --count 1 >/dev/null
    sleep 0.3
  }
  round; callgrind_control -i on "$VG" >/dev/null 2>&1
  for _ in $(seq "$N"); do round; done
else
  run 50 >/dev/null
  callgrind_control -i on "$VG" >/dev/null 2>&1
  run "$N" >/dev/null
fi
callgrind_control -i off "$VG" >/dev/null 2>&1
kill -TERM "$VG"; wait "$VG" || true
IR=$(grep -m1 'Collected :' "$OUT/callgrind.$WHAT.log" | awk '{print $NF}')
echo "$WHAT: $IR instructions for $N requests/rounds: $((IR / N)) per request (server: $KMOCK)"
