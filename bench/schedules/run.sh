#!/usr/bin/env bash
# Schedule jitter: 10,000 schedules all due at the same second, against single schedules (the
# baseline) in the same run. Jitter = when the scheduler handed a tick to the async invocations
# minus the tick's due time, as the server reports it (LastFiring.DelayMilliseconds on
# GET /stratus/v1/schedules).
#
# Usage: bash bench/schedules/run.sh
# Knobs (environment): SCHEDULES (10000), BASELINE_TICKS (10).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
export SCHEDULES=${SCHEDULES:-10000}
export BASELINE_TICKS=${BASELINE_TICKS:-10}

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
command -v node >/dev/null || { echo "bench: node is required" >&2; exit 1; }
command -v dotnet >/dev/null || { echo "bench: dotnet is required" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-sched-bench.XXXXXX")
SERVER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    # A clean stop drains the ticks' queued invocations, which the measurement does not need:
    # give it 10 s, then kill the server and the instances it started.
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      kill -KILL "$SERVER_PID" 2>/dev/null || true
      pgrep -f "/run/stratus-$SERVER_PID-" | xargs -r kill -KILL 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building Stratus (Release)"
dotnet build "$ROOT/src/Stratus.Cli" -c Release -v quiet -nologo 2>&1 | grep -E " error |rror\(s\)" >&2 || true
[[ -x $STRATUS ]] || { echo "bench: $STRATUS was not built" >&2; exit 1; }

log "starting Stratus with a fresh data directory"
# Development mode (any signature): the figure is delivery or timing inside the server, and
# the measuring script sends plain requests; signature checking costs are measured in bench/run.sh.
"$STRATUS" server --listen 127.0.0.1:0 --data "$WORK/data" --insecure-any-signature >"$WORK/stdout" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 300); do grep -q "listening on" "$WORK/stdout" 2>/dev/null && break; sleep 0.1; done
ENDPOINT=$(sed -n 's/^Stratus listening on //p' "$WORK/stdout")
[[ -n $ENDPOINT ]] || { echo "bench: Stratus did not start"; cat "$WORK/server.log"; exit 1; } >&2
log "Stratus at $ENDPOINT"

node "$BENCH_DIR/jitter.mjs" "$ENDPOINT" "$ROOT/bench/function/index.js"
