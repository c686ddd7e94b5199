#!/usr/bin/env bash
# Live logs: what following costs and how fast lines arrive, on one server in one run.
#  1. Warm Invoke throughput (wrk, 64 connections) with no follower (baseline), then with one
#     follower of the invoked function streaming every line (curl -N on /logs/stream), interleaved.
#  2. Delivery latency (follow-latency.mjs): one invocation at a time, the time until its log
#     arrives on the stream, against the Invoke round trip as baseline.
#
# Usage: bash bench/logs/run.sh        Knobs: BENCH_DURATION (10s), BENCH_WARMUP (5s), BENCH_ROUNDS (300)
# Prints a table; raw outputs in bench/results/logs/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-5s}
RAW=$BENCH/results/logs
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
for tool in wrk curl node dotnet; do command -v "$tool" >/dev/null || die "$tool is required"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-logs.XXXXXX")
SERVER_PID=""
FOLLOWER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [[ -n $FOLLOWER_PID ]] && kill "$FOLLOWER_PID" 2>/dev/null || true
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$RAW"
mkdir -p "$RAW"
log "building Stratus (Release)"
dotnet build -c Release --nologo -v q "$ROOT/src/Stratus.Cli" >"$RAW/build.log" 2>&1 || { cat "$RAW/build.log" >&2; die "build failed"; }

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$STRATUS" server --listen "127.0.0.1:$PORT" --data "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do grep -q '^Stratus listening on' "$WORK/server.log" && break; kill -0 "$SERVER_PID" || die "server exited"; sleep 0.05; done
ENDPOINT=http://127.0.0.1:$PORT
INVOKE=$ENDPOINT/2015-03-31/functions/hello/invocations

log "deploying hello (nodejs20.x, 1769 MB)"
"$STRATUS" deploy "$BENCH/function" --name hello --runtime nodejs20.x --handler index.handler --memory 1769 --endpoint "$ENDPOINT" >/dev/null

run() { # NAME
  log "wrk $1 (-t2 -c64 -d$DURATION)"
  wrk -t2 -c64 -d"$DURATION" --latency -s "$BENCH/lib/invoke.lua" "$INVOKE" >"$RAW/$1.txt"
  grep -q '^RESULT ' "$RAW/$1.txt" || { cat "$RAW/$1.txt" >&2; die "wrk $1 printed no result"; }
}
follow() { curl -sN "$ENDPOINT/stratus/v1/functions/hello/logs/stream" >"$RAW/$1.sse" & FOLLOWER_PID=$!; }
unfollow() { kill "$FOLLOWER_PID" 2>/dev/null || true; wait "$FOLLOWER_PID" 2>/dev/null || true; FOLLOWER_PID=""; }

wrk -t2 -c64 -d"$WARMUP" -s "$BENCH/lib/invoke.lua" "$INVOKE" >/dev/null
# Interleaved, twice, so a change in the machine's load touches both sides alike.
for round in 1 2; do
  run "alone-$round"
  follow "followed-$round"
  run "followed-$round"
  unfollow
done

log "log delivery latency (${BENCH_ROUNDS:-300} sequential invocations)"
STRATUS_ENDPOINT=$ENDPOINT node "$DIR/follow-latency.mjs" >"$RAW/latency.txt"

"$PY" - "$RAW" <<'PYEOF'
import re, sys, pathlib
raw = pathlib.Path(sys.argv[1])
def result(name, suffix=".txt"):
    line = next(l for l in (raw / f"{name}{suffix}").read_text().splitlines() if l.startswith("RESULT "))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
print(f"{'':22}{'no follower':>14}{'1 follower':>14}{'ratio':>8}")
for r in (1, 2):
    a, f = result(f"alone-{r}"), result(f"followed-{r}")
    lines = (raw / f"followed-{r}.sse").read_text().count("event: log")
    print(f"{f'run {r} req/s':22}{a['rps']:>14,.0f}{f['rps']:>14,.0f}{f['rps'] / a['rps']:>8.2f}   ({lines:,} lines streamed)")
    print(f"{f'run {r} p50 ms':22}{a['p50_us'] / 1000:>14.2f}{f['p50_us'] / 1000:>14.2f}{f['p50_us'] / a['p50_us']:>8.2f}")
l = result("latency")
print(f"\nsequential invocations: {l['rounds']:.0f}")
print(f"Invoke round trip (baseline)      p50 {l['invoke_p50']:.2f} ms   p99 {l['invoke_p99']:.2f} ms")
print(f"invoke start -> line on stream    p50 {l['log_from_start_p50']:.2f} ms   p99 {l['log_from_start_p99']:.2f} ms   max {l['log_from_start_max']:.2f} ms")
print(f"response -> line on stream        p50 {l['log_after_response_p50']:.2f} ms   p99 {l['log_after_response_p99']:.2f} ms")
PYEOF
