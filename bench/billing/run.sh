#!/usr/bin/env bash
# What metering and signature checking cost warm Invoke throughput and latency (wrk): the same
# hello-world function (bench/function) on servers of two sides: "off" (--no-metering and
# --insecure-any-signature: neither) and "on" (the default: every invocation metered, every request's
# SigV4 signature checked; wrk replays a request signed as the AWS clients sign it), at 64 connections
# and at 1. BENCH_SIDES="off metering on" adds "metering" (usage ledger on, signatures not checked), to
# tell the two costs apart.
#
# Each of BENCH_ROUNDS rounds runs the sides in turn (each round starting with the next side), so that
# a change in the machine's load touches every side alike, and each side runs on a fresh server
# (fresh data directory) that is alone on the machine while it is warmed up and measured, then stopped.
# Servers started alike differ by up to 10-20 % in throughput, and each keeps its rate for as long as
# it runs (the first started of several side by side usually the fastest): with one server per side,
# that difference would be taken for the cost of metering or signatures. Many rounds, each on fresh
# servers, are what averages it out: hence 9 rounds of two sides rather than fewer of three.
# Each server is warmed up for 20 s first: .NET's tiered JIT (with dynamic PGO) is still compiling
# hundreds of methods a second 10 s into a run, and more on the side that runs more code.
# The table shows each side's median over the rounds and its ratio to off, and the median of each
# round's ratio ("paired"), the figure to quote.
#
# Usage: bash bench/billing/run.sh   Knobs: BENCH_DURATION (6s), BENCH_WARMUP (20s), BENCH_ROUNDS (9),
#                                    BENCH_SIDES ("off on")
# Prints a table; raw wrk outputs in bench/results/billing/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
DURATION=${BENCH_DURATION:-6s}
WARMUP=${BENCH_WARMUP:-20s}
ROUNDS=${BENCH_ROUNDS:-9}
read -r -a SIDES <<<"${BENCH_SIDES:-off on}"
RAW=$BENCH/results/billing
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
for tool in wrk curl node dotnet; do command -v "$tool" >/dev/null || die "$tool is required"; done
source "$BENCH/lib/auth.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-billing.XXXXXX")
PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    # SIGTERM: Stratus stops its instance processes itself.
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

declare -A INVOKE SERVER
start_server() { # SIDE EXTRA-OPTIONS...
  local side=$1
  shift
  local port
  port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  rm -rf "${WORK:?}/$side"
  "$STRATUS" server --listen "127.0.0.1:$port" --data "$WORK/$side" "$@" >"$WORK/$side.log" 2>&1 &
  PIDS+=($!)
  SERVER[$side]=$!
  for _ in $(seq 600); do grep -q '^Stratus listening on' "$WORK/$side.log" && break; kill -0 "${PIDS[-1]}" || die "server exited"; sleep 0.05; done
  local endpoint=http://127.0.0.1:$port
  log "metering $side: deploying hello (nodejs20.x, 1769 MB)"
  "$STRATUS" deploy "$BENCH/function" --name hello --runtime nodejs20.x --handler index.handler --memory 1769 --endpoint "$endpoint" >/dev/null
  INVOKE[$side]=$endpoint/2015-03-31/functions/hello/invocations
  [[ $(scurl -sf -X POST -d '{}' "${INVOKE[$side]}") == '{"statusCode":200,"body":"hello"}' ]] || die "Invoke did not answer the function's result"
}

# CPU time (clock ticks, user + system, every thread) the server process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Besides wrk's figures, the server's own CPU time per request: on a machine others share, throughput
# moves with their load, while the work each invocation costs the server moves much less.
run() { # SIDE NAME THREADS CONNECTIONS DURATION
  log "wrk $2 (-t$3 -c$4 -d$5)"
  local before
  before=$(cpu_ticks "${SERVER[$1]}")
  presign POST "${INVOKE[$1]}" '{}'
  wrk -t"$3" -c"$4" -d"$5" --latency -s "$BENCH/lib/invoke.lua" "${INVOKE[$1]}" >"$RAW/$2.txt"
  echo "CPU ticks=$(($(cpu_ticks "${SERVER[$1]}") - before)) hz=$(getconf CLK_TCK)" >>"$RAW/$2.txt"
  grep -q '^RESULT ' "$RAW/$2.txt" || { cat "$RAW/$2.txt" >&2; die "wrk $2 printed no result"; }
}

stop_servers() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

declare -A OPTIONS=([off]="--no-metering --insecure-any-signature" [metering]="--insecure-any-signature" [on]="")
for side in "${SIDES[@]}"; do [[ -v OPTIONS[$side] ]] || die "unknown side '$side' in BENCH_SIDES (off, metering, on)"; done
[[ " ${SIDES[*]} " == *" off "* && ${#SIDES[@]} -ge 2 ]] || die "BENCH_SIDES needs off and at least one other side"
for round in $(seq "$ROUNDS"); do
  # Each round starts with the next side, so that no side always runs first (or last) in a round.
  first=$((round % ${#SIDES[@]}))
  order=("${SIDES[@]:first}" "${SIDES[@]:0:first}")
  for side in "${order[@]}"; do
    log "round $round of $ROUNDS: $side, on a fresh server, alone"
    # shellcheck disable=SC2086 # the options are words
    start_server "$side" ${OPTIONS[$side]}
    run "$side" "warmup-$side-$round" 2 64 "$WARMUP"
    run "$side" "$side-c64-$round" 2 64 "$DURATION"
    run "$side" "$side-c1-$round" 1 1 "$DURATION"
    stop_servers
  done
done

"$PY" - "$RAW" "$ROUNDS" "${SIDES[@]}" <<'PYEOF'
import re, statistics, sys, pathlib
raw, rounds, sides = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
others = [s for s in sides if s != "off"]
def one(name):
    lines = (raw / f"{name}.txt").read_text().splitlines()
    pick = lambda prefix: {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", next(l for l in lines if l.startswith(prefix)))}
    result, cpu = pick("RESULT "), pick("CPU ")
    result["cpu_us"] = cpu["ticks"] / cpu["hz"] * 1e6 / result["requests"]
    return result
def result(name):
    runs = [one(f"{name}-{r}") for r in range(1, rounds + 1)]
    return {k: statistics.median(run[k] for run in runs) for k in runs[0]}
def ratios(side, c):
    return [one(f"{side}-{c}-{r}")["rps"] / one(f"off-{c}-{r}")["rps"] for r in range(1, rounds + 1)]
print(f"median of {rounds} rounds")
print(f"{'':14}{'off':>10}" + "".join(f"{s:>10}" for s in others) + "".join(f"{s + '/off':>14}" for s in others))
for c in ("c64", "c1"):
    off = result(f"off-{c}")
    rest = [result(f"{s}-{c}") for s in others]
    for key, label, fmt in (("rps", "req/s", ",.0f"), ("p50_us", "p50 us", ",.0f"), ("p99_us", "p99 us", ",.0f"), ("cpu_us", "CPU us/req", ",.1f")):
        print(f"{c + ' ' + label:14}{off[key]:>10{fmt}}" + "".join(f"{r[key]:>10{fmt}}" for r in rest) + "".join(f"{r[key] / off[key]:>14.3f}" for r in rest))
    # Each round's ratio to off in that same round (minutes apart, so under much the same load), then
    # their median: steadier than the ratio of the medians when the machine's load drifts.
    print(f"{c + ' paired':14}{'':>{10 * len(sides)}}" + "".join(f"{statistics.median(ratios(s, c)):>14.3f}" for s in others) + "   (median of each round's req/s ratio)")
    for s in others:
        print(f"  {c} {s}/off by round: " + " ".join(f"{x:.3f}" for x in ratios(s, c)))
    errors = sum(v for r in [off, *rest] for k, v in r.items() if k.startswith("errors"))
    if errors:
        print(f"  {c}: {errors:.0f} errors (non-2xx or socket), see {raw}")
PYEOF
