#!/usr/bin/env bash
# What checking signatures costs: warm Invoke throughput and latency (wrk) of the same hello-world
# function (bench/function) on two servers started alike, one checking the SigV4 signature of every
# request (the default; wrk replays a request signed as the AWS clients sign it) and one in
# development mode (--insecure-any-signature, nothing checked). Runs are interleaved so that a change
# in the machine's load touches both alike, at 64 connections and at 1.
#
# Usage: bash bench/tenancy/run.sh        Knobs: BENCH_DURATION (10s), BENCH_WARMUP (5s)
# Prints a table; raw wrk outputs in bench/results/tenancy/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-5s}
RAW=$BENCH/results/tenancy
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
for tool in wrk curl node dotnet; do command -v "$tool" >/dev/null || die "$tool is required"; done
source "$BENCH/lib/auth.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-tenancy.XXXXXX")
PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
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

# start NAME [server options...]: prints the endpoint; the function hello is deployed and warm.
start() {
  local name=$1 port
  shift
  port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$STRATUS" server --listen "127.0.0.1:$port" --data "$WORK/$name" --standby-runtimes 0 "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do grep -q '^Stratus listening on' "$WORK/$name.log" && break; sleep 0.05; done
  grep -q '^Stratus listening on' "$WORK/$name.log" || die "server $name did not start: $(cat "$WORK/$name.log")"
  "$STRATUS" deploy "$BENCH/function" --name hello --runtime nodejs20.x --handler index.handler --memory 1769 --endpoint "http://127.0.0.1:$port" >/dev/null
  [[ $(scurl -sf -X POST -d '{}' "http://127.0.0.1:$port/2015-03-31/functions/hello/invocations") == '{"statusCode":200,"body":"hello"}' ]] ||
    die "server $name: Invoke did not answer hello"
  echo "http://127.0.0.1:$port/2015-03-31/functions/hello/invocations"
}
log "starting two servers: signatures checked, and development mode"
SIGNED=$(start signed)
UNCHECKED=$(start unchecked --insecure-any-signature)

run() { # NAME URL THREADS CONNECTIONS DURATION
  log "wrk $1 (-t$3 -c$4 -d$5)"
  if [[ $1 == signed* ]]; then presign POST "$2" '{}'; else unset WRK_AMZ_DATE WRK_AUTHORIZATION; fi
  wrk -t"$3" -c"$4" -d"$5" --latency -s "$BENCH/lib/invoke.lua" "$2" >"$RAW/$1.txt"
  grep -q '^RESULT ' "$RAW/$1.txt" || { cat "$RAW/$1.txt" >&2; die "wrk $1 printed no result"; }
}
run signed-warmup "$SIGNED" 2 64 "$WARMUP"
run unchecked-warmup "$UNCHECKED" 2 64 "$WARMUP"
for round in 1 2; do
  run "signed-c64-$round" "$SIGNED" 2 64 "$DURATION"
  run "unchecked-c64-$round" "$UNCHECKED" 2 64 "$DURATION"
  run "signed-c1-$round" "$SIGNED" 1 1 "$DURATION"
  run "unchecked-c1-$round" "$UNCHECKED" 1 1 "$DURATION"
done

"$PY" - "$RAW" <<'PYEOF'
import re, sys, pathlib, statistics
raw = pathlib.Path(sys.argv[1])
def result(name):
    line = next(l for l in (raw / f"{name}.txt").read_text().splitlines() if l.startswith("RESULT "))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
def mean(side, c, key):
    return statistics.mean(result(f"{side}-{c}-{r}")[key] for r in (1, 2))
print(f"{'':14}{'checked':>12}{'unchecked':>12}{'checked/unchecked':>19}")
for c in ("c64", "c1"):
    for key, label, scale in (("rps", "req/s", 1), ("p50_us", "p50 ms", 1000), ("p99_us", "p99 ms", 1000)):
        s, u = mean("signed", c, key), mean("unchecked", c, key)
        print(f"{c + ' ' + label:14}{s / scale:>12,.2f}{u / scale:>12,.2f}{s / u:>19.3f}")
    errors = sum(v for r in (1, 2) for side in ("signed", "unchecked") for k, v in result(f"{side}-{c}-{r}").items() if k.startswith("errors"))
    if errors:
        print(f"  {c}: {errors:.0f} errors (non-2xx or socket), see {raw}")
PYEOF
