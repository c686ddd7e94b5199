#!/usr/bin/env bash
# What metering and signature checking cost warm Invoke throughput and latency (wrk): the same
# hello-world function (bench/function) on servers of two sides: "off" (--no-metering and
# --insecure-any-signature: neither) and "on" (the default: every invocation metered, every request's
# SigV4 signature checked; wrk replays a request signed as the AWS clients sign it), at 64 connections
# and at 1. BENCH_SIDES="off metering on" adds "metering" (usage ledger on, signatures not checked), to
# tell the two costs apart, and "same" (a second "off" server) measures the method's own noise: its
# ratio to off would be 1 on a quiet machine.
#
# This machine's speed moves by about 10 % from one second to the next (others share its host: a raw
# node server's one-second windows vary as much), neighbouring seconds alike, seconds three apart not,
# and servers started alike can differ by a few percent for as long as they run. So each of
# BENCH_ROUNDS rounds starts one fresh server per side (fresh data directories; which side starts
# first rotates from round to round), all alive side by side, warms each up under load in turn
# (BENCH_WARMUP each: .NET's tiered JIT with dynamic PGO is still compiling hundreds of methods a
# second 10 s into a run, and more on the side that runs more code), then loads them in turn, one at a
# time, in BENCH_WINDOWS sets of short windows (BENCH_WINDOW each; each set has one window per side,
# the order rotating from set to set), so that a slow stretch of the machine weighs on neighbouring
# windows of every side alike: windows of one second, taken back to back, measure the cost with far
# less noise for the time spent than longer ones. Then one window per side at 1 connection. The
# servers of a round are stopped before the next round starts.
# The figure to quote is "total": the throughput of a side over all its windows at 64 connections (the
# mean of their req/s, windows of one length) against off's, over the windows taken in turn with them.
# Also shown: "paired", the median over the sets of each set's ratio to off; each side's median over
# its windows; and the server's own CPU time per request.
#
# Usage: bash bench/billing/run.sh   Knobs: BENCH_ROUNDS (6), BENCH_WINDOWS (30), BENCH_WINDOW (1s),
#                                    BENCH_WARMUP (20s), BENCH_SIDES ("off on")
# Prints a table; raw wrk outputs in bench/results/billing/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
WINDOW=${BENCH_WINDOW:-1s}
WARMUP=${BENCH_WARMUP:-20s}
ROUNDS=${BENCH_ROUNDS:-6}
WINDOWS=${BENCH_WINDOWS:-30}
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
  log "$side: deploying hello (nodejs20.x, 1769 MB)"
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

# rotated N: the sides, starting with the one at N (mod their count).
rotated() {
  local first=$(($1 % ${#SIDES[@]}))
  echo "${SIDES[@]:first}" "${SIDES[@]:0:first}"
}

declare -A OPTIONS=([off]="--no-metering --insecure-any-signature" [same]="--no-metering --insecure-any-signature" [metering]="--insecure-any-signature" [on]="")
for side in "${SIDES[@]}"; do [[ -v OPTIONS[$side] ]] || die "unknown side '$side' in BENCH_SIDES (off, same, metering, on)"; done
[[ " ${SIDES[*]} " == *" off "* && ${#SIDES[@]} -ge 2 ]] || die "BENCH_SIDES needs off and at least one other side"
[[ $(printf '%s\n' "${SIDES[@]}" | sort -u | wc -l) -eq ${#SIDES[@]} ]] || die "BENCH_SIDES names a side twice"
for round in $(seq "$ROUNDS"); do
  read -r -a order <<<"$(rotated "$round")"
  for side in "${order[@]}"; do
    log "round $round of $ROUNDS: starting $side on a fresh server"
    # shellcheck disable=SC2086 # the options are words
    start_server "$side" ${OPTIONS[$side]}
  done
  for side in "${order[@]}"; do run "$side" "warmup-$side-$round" 2 64 "$WARMUP"; done
  for window in $(seq "$WINDOWS"); do
    read -r -a order <<<"$(rotated $((round + window)))"
    for side in "${order[@]}"; do run "$side" "$side-c64-$round-$window" 2 64 "$WINDOW"; done
  done
  read -r -a order <<<"$(rotated $((round + 1)))"
  for side in "${order[@]}"; do run "$side" "$side-c1-$round-1" 1 1 "$WINDOW"; done
  stop_servers
done

"$PY" - "$RAW" "$ROUNDS" "$WINDOWS" "${SIDES[@]}" <<'PYEOF'
import re, statistics, sys, pathlib
raw, rounds, windows, sides = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
others = [s for s in sides if s != "off"]
sets = {"c64": [(r, w) for r in range(1, rounds + 1) for w in range(1, windows + 1)],
        "c1": [(r, 1) for r in range(1, rounds + 1)]}
def one(side, c, r, w):
    lines = (raw / f"{side}-{c}-{r}-{w}.txt").read_text().splitlines()
    pick = lambda prefix: {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", next(l for l in lines if l.startswith(prefix)))}
    result, cpu = pick("RESULT "), pick("CPU ")
    result["cpu_us"] = cpu["ticks"] / cpu["hz"] * 1e6 / result["requests"]
    return result
def medians(side, c):
    runs = [one(side, c, r, w) for r, w in sets[c]]
    return {k: statistics.median(run[k] for run in runs) for k in runs[0]}
def ratios(side, c, r=None):
    return [one(side, c, rr, w)["rps"] / one("off", c, rr, w)["rps"] for rr, w in sets[c] if r in (None, rr)]
print(f"{rounds} rounds of fresh servers; at 64 connections {windows} sets of windows a round")
print(f"{'median':14}{'off':>10}" + "".join(f"{s:>10}" for s in others) + "".join(f"{s + '/off':>14}" for s in others))
for c in ("c64", "c1"):
    off = medians("off", c)
    rest = [medians(s, c) for s in others]
    for key, label, fmt in (("rps", "req/s", ",.0f"), ("p50_us", "p50 us", ",.0f"), ("p99_us", "p99 us", ",.0f"), ("cpu_us", "CPU us/req", ",.1f")):
        print(f"{c + ' ' + label:14}{off[key]:>10{fmt}}" + "".join(f"{r[key]:>10{fmt}}" for r in rest) + "".join(f"{r[key] / off[key]:>14.3f}" for r in rest))
    # The figure: every request a side served in all its windows over every request off served in
    # its windows, taken in turn with them and of the same lengths. Each window is as likely to meet
    # a slow stretch of the machine as its neighbours of the other side, and summing all of them
    # averages that out better than a median of the sets' ratios, shown below it.
    total = lambda side: sum(one(side, c, r, w)["rps"] for r, w in sets[c])
    print(f"{c + ' total':14}{'':>{10 * len(sides)}}" + "".join(f"{total(s) / total('off'):>14.3f}" for s in others) + "   (all requests served, over off's)")
    print(f"{c + ' paired':14}{'':>{10 * len(sides)}}" + "".join(f"{statistics.median(ratios(s, c)):>14.3f}" for s in others) + "   (median of each set's req/s ratio)")
    for s in others:
        if c == "c64":
            print(f"  {c} {s}/off by round (median of its sets): " + " ".join(f"{statistics.median(ratios(s, c, r)):.3f}" for r in range(1, rounds + 1)))
        else:
            print(f"  {c} {s}/off by round: " + " ".join(f"{x:.3f}" for x in ratios(s, c)))
    errors = sum(v for s in sides for r, w in sets[c] for k, v in one(s, c, r, w).items() if k.startswith("errors"))
    if errors:
        print(f"  {c}: {errors:.0f} errors (non-2xx or socket), see {raw}")
PYEOF
