#!/usr/bin/env bash
# What metering and signature checking cost warm Invoke throughput and latency (wrk): the same
# hello-world function (bench/function) on servers of two sides: "off" (--no-metering and
# --insecure-any-signature: neither) and "on" (the default: every invocation metered, every request's
# SigV4 signature checked; wrk replays a request signed as the AWS clients sign it), at 64 connections
# and at 1. BENCH_SIDES="off metering on" adds "metering" (usage ledger on, signatures not checked), to
# tell the two costs apart, and "same" (a second "off" server) measures the method's own error: its
# ratio to off would be 1 without it.
#
# This machine's speed moves by about 10 % from one second to the next and within a second (others
# share its host: a raw node server's windows vary as much), and servers started alike differ by a
# few percent for as long as they run. So each of BENCH_ROUNDS rounds starts one fresh server per
# side (fresh data directories), all alive side by side, and one wrk (bench/lib/turns.lua) loads them
# in turn, in turns of BENCH_TURN_MS milliseconds: 64 connections per server, each sending only during
# its server's turns, so that every side meets the same moments of the machine. First BENCH_WARMUP of
# that (.NET's tiered JIT with dynamic PGO still compiles methods 20 s into a run, more on the side
# that runs more code), then BENCH_DURATION measured, shared by the sides. The order of the turns
# rotates from round to round. Then, per side, one window of BENCH_WINDOW alone at 64 connections and
# one at 1, for the latencies. The servers of a round are stopped before the next round starts.
# Turns of a second, not shorter: "on" imports its usage records every 250 ms whoever's turn it is,
# and with turns shorter than that about half of that work would be done in off's turns, flattering
# on by about 1 %; with turns of a second, about an eighth is.
# The figure to quote is "total": every request a side served in its turns of all rounds over every
# request off served in its own (each side has the same time). Also shown: each round's ratio and,
# from their spread, a 95 % interval; "paired", the median over cycles of turns (one turn per side)
# of each cycle's ratio; the server's own CPU time per request, in all and by thread (with the
# instances' processes), and the threads that differ most from off in each round; the latencies.
#
# Usage: bash bench/billing/run.sh   (about 13 minutes)
# Knobs: BENCH_ROUNDS (8), BENCH_DURATION (40s), BENCH_WARMUP (40s), BENCH_TURN_MS (1000),
#        BENCH_WINDOW (2s), BENCH_SIDES ("off on")
# Prints a table; raw wrk outputs in bench/results/billing/. To pool the rounds of several runs, save
# each report (| tee run1.txt) and run python3 bench/billing/pool.py run1.txt run2.txt ...
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
WINDOW=${BENCH_WINDOW:-2s}
WARMUP=${BENCH_WARMUP:-40s}
DURATION=${BENCH_DURATION:-40s}
ROUNDS=${BENCH_ROUNDS:-8}
TURN_MS=${BENCH_TURN_MS:-1000}
read -r -a SIDES <<<"${BENCH_SIDES:-off on}"
RAW=$BENCH/results/billing
# log, die, PY, STRATUS, WORK, PIDS (each stopped with SIGTERM on exit), free_port, build_stratus, cpu_ticks.
# shellcheck source=../lib/servers.sh
source "$BENCH/lib/servers.sh"
for tool in wrk curl node dotnet; do command -v "$tool" >/dev/null || die "$tool is required"; done
source "$BENCH/lib/auth.sh"

rm -rf "$RAW"
mkdir -p "$RAW"
build_stratus

declare -A INVOKE SERVER PORT
start_server() { # SIDE EXTRA-OPTIONS...
  local side=$1
  shift
  local port
  port=$(free_port)
  rm -rf "${WORK:?}/$side"
  "$STRATUS" server --listen "127.0.0.1:$port" --data "$WORK/$side" "$@" >"$WORK/$side.log" 2>&1 &
  PIDS+=($!)
  SERVER[$side]=$!
  for _ in $(seq 600); do grep -q '^Stratus listening on' "$WORK/$side.log" && break; kill -0 "${PIDS[-1]}" || die "server exited"; sleep 0.05; done
  local endpoint=http://127.0.0.1:$port
  log "$side: deploying hello (nodejs20.x, 1769 MB)"
  "$STRATUS" deploy "$BENCH/function" --name hello --runtime nodejs20.x --handler index.handler --memory 1769 --endpoint "$endpoint" >/dev/null
  INVOKE[$side]=$endpoint/2015-03-31/functions/hello/invocations
  PORT[$side]=$port
  [[ $(scurl -sf -X POST -d '{}' "${INVOKE[$side]}") == '{"statusCode":200,"body":"hello"}' ]] || die "Invoke did not answer the function's result"
}

# side_threads SIDE: "THREAD side id name ticks" for each thread of the side's server (named as it
# names them, numbers dropped) and for each of its instance processes (all their threads), to see
# where a side's extra CPU goes.
side_threads() {
  local side=$1 pid=${SERVER[$1]} task child
  {
    for task in /proc/"$pid"/task/*; do
      echo "THREAD $side ${task##*/} $(tr ' ' _ <"$task/comm" | sed 's/[_0-9]*$//') $(sed 's/.*) //' "$task/stat" | awk '{ print $12 + $13 }')"
    done
    for child in $(pgrep -P "$pid"); do
      echo "THREAD $side p$child instance:$(tr ' ' _ <"/proc/$child/comm") $(cpu_ticks "$child")"
    done
  } 2>/dev/null || true
}

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
  local pid
  for pid in "${PIDS[@]}"; do stop_server "$pid"; done
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
# turns NAME DURATION SIDES...: one wrk loading the sides' servers in turn, in that order; each server
# has 2 threads and 64 connections of its own. Appends each server's CPU ticks over the run.
turns() {
  local name=$1 duration=$2 side ports=()
  shift 2
  log "wrk $name: ${*} in turns of $TURN_MS ms ($duration)"
  declare -A before
  for side in "$@"; do
    before[$side]=$(cpu_ticks "${SERVER[$side]}")
    ports+=("${PORT[$side]}")
    side_threads "$side"
  done >"$RAW/$name.threads"
  presign POST "${INVOKE[$1]}" '{}'
  WRK_PORTS="${ports[*]}" WRK_TURN_MS=$TURN_MS wrk -t$((2 * $#)) -c$((64 * $#)) -d"$duration" -s "$BENCH/lib/turns.lua" "${INVOKE[$1]}" >"$RAW/$name.txt"
  echo "ORDER $*" >>"$RAW/$name.txt"
  for side in "$@"; do
    echo "CPU $side ticks=$(($(cpu_ticks "${SERVER[$side]}") - before[$side])) hz=$(getconf CLK_TCK)" >>"$RAW/$name.txt"
    side_threads "$side" | sed 's/^THREAD/THREAD_AFTER/' >>"$RAW/$name.threads"
  done
  grep -q '^SERVER ' "$RAW/$name.txt" || { cat "$RAW/$name.txt" >&2; die "wrk $name printed no result"; }
}

for round in $(seq "$ROUNDS"); do
  read -r -a order <<<"$(rotated "$round")"
  for side in "${order[@]}"; do
    log "round $round of $ROUNDS: starting $side on a fresh server"
    # shellcheck disable=SC2086 # the options are words
    start_server "$side" ${OPTIONS[$side]}
  done
  turns "warmup-$round" "$WARMUP" "${order[@]}"
  turns "turns-$round" "$DURATION" "${order[@]}"
  for side in "${order[@]}"; do
    run "$side" "$side-c64-$round" 2 64 "$WINDOW"
    run "$side" "$side-c1-$round" 1 1 "$WINDOW"
  done
  stop_servers
done

"$PY" - "$RAW" "$ROUNDS" "${SIDES[@]}" <<'PYEOF'
import math, re, statistics, sys, pathlib
raw, rounds, sides = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
others = [s for s in sides if s != "off"]
def turns(r):
    text = (raw / f"turns-{r}.txt").read_text()
    order = re.search(r"^ORDER (.*)$", text, re.M).group(1).split()
    served = {order[int(i)]: int(n) for i, n in re.findall(r"^SERVER (\d+) requests=(\d+)", text, re.M)}
    cpu = {s: int(t) / int(hz) * 1e6 / served[s] for s, t, hz in re.findall(r"^CPU (\S+) ticks=(\d+) hz=(\d+)", text, re.M)}
    by_turn = {int(t): (order[int(i)], int(n)) for t, i, n in re.findall(r"^TURN (\d+) (\d+) (\d+)", text, re.M)}
    errors = sum(int(v) for v in re.findall(r"\w+=(\d+)", re.search(r"^ERRORS (.*)$", text, re.M).group(1)))
    return served, cpu, by_turn, len(order), errors
def window(side, c, r):
    lines = (raw / f"{side}-{c}-{r}.txt").read_text().splitlines()
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", next(l for l in lines if l.startswith("RESULT ")))}
runs = [turns(r) for r in range(1, rounds + 1)]
# Student's t at 97.5 % for the rounds' degrees of freedom (1 to 30), for the interval.
T975 = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14, 2.13,
        2.12, 2.11, 2.10, 2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04]
print(f"{rounds} rounds of fresh servers, loaded in turns; throughput from the turns, latency from windows alone")
print(f"{'':24}{'off':>10}" + "".join(f"{s:>10}" for s in others) + "".join(f"{s + '/off':>14}" for s in others))
def row(label, values, fmt):
    off = values["off"]
    print(f"{label:24}{off:>10{fmt}}" + "".join(f"{values[s]:>10{fmt}}" for s in others) + "".join(f"{values[s] / off:>14.3f}" for s in others))
row("requests (all turns)", {s: sum(run[0][s] for run in runs) for s in sides}, ",.0f")
row("server CPU us/req (med.)", {s: statistics.median(run[1][s] for run in runs) for s in sides}, ",.1f")
for c, label in (("c64", "64 conn."), ("c1", "1 conn.")):
    for key, name in (("rps", "req/s"), ("p50_us", "p50 us"), ("p99_us", "p99 us")):
        row(f"{label} {name} (alone)", {s: statistics.median(window(s, c, r)[key] for r in range(1, rounds + 1)) for s in sides}, ",.0f")
for s in others:
    total = sum(run[0][s] for run in runs) / sum(run[0]["off"] for run in runs)
    per_round = [run[0][s] / run[0]["off"] for run in runs]
    line = f"{s}/off total {total:.3f}"
    if rounds > 1:
        spread = T975[min(rounds - 1, len(T975)) - 1] * statistics.stdev(per_round) / math.sqrt(rounds)
        line += f"   95 % interval {total - spread:.3f} to {total + spread:.3f} (from the rounds' spread)"
    print(line)
    print(f"  by round: " + " ".join(f"{x:.3f}" for x in per_round))
    cycles = []
    for served, cpu, by_turn, n, errors in runs:
        for t, (side, count) in by_turn.items():
            if t % n == 0 and all(t + k in by_turn for k in range(n)):
                cycle = {by_turn[t + k][0]: by_turn[t + k][1] for k in range(n)}
                if cycle["off"] > 0:
                    cycles.append(cycle[s] / cycle["off"])
    print(f"  paired: median of {len(cycles)} cycles' ratios {statistics.median(cycles):.3f}")
# Each side's CPU per request by thread (the server's threads by name, its instance processes), over
# the rounds' measured turns: where a side's extra work is done.
hz = int(re.search(r"hz=(\d+)", (raw / "turns-1.txt").read_text()).group(1))
def thread_ticks(r):
    """Ticks each side's threads used in round r's measured turns, by thread name."""
    before, after, per = {}, {}, {s: {} for s in sides}
    for line in (raw / f"turns-{r}.threads").read_text().splitlines():
        parts = line.split()
        if len(parts) != 5:
            continue  # a thread that ended while it was read
        kind, side, key, name, ticks = parts
        (before if kind == "THREAD" else after)[(side, key)] = (name, int(ticks))
    for (side, key), (name, ticks) in after.items():
        per[side][name] = per[side].get(name, 0) + ticks - before.get((side, key), (name, 0))[1]
    return per
per_round = [thread_ticks(r) for r in range(1, rounds + 1)]
by_thread = {s: {} for s in sides}
for per in per_round:
    for s in sides:
        for name, ticks in per[s].items():
            by_thread[s][name] = by_thread[s].get(name, 0) + ticks
served = {s: sum(run[0][s] for run in runs) for s in sides}
names = sorted({n for s in sides for n in by_thread[s]}, key=lambda n: -sum(by_thread[s].get(n, 0) for s in sides))
print("CPU us/req by thread (all rounds)" + "".join(f"{s:>10}" for s in sides) + "".join(f"{s + '-off':>12}" for s in others))
for n in names:
    us = {s: by_thread[s].get(n, 0) / hz * 1e6 / served[s] for s in sides}
    if max(us.values()) >= 0.2:
        print(f"  {n:32}" + "".join(f"{us[s]:>10.2f}" for s in sides) + "".join(f"{us[s] - us['off']:>+12.2f}" for s in others))
for r, per in enumerate(per_round, 1):
    for s in others:
        diffs = sorted(((per[s].get(n, 0) / runs[r - 1][0][s] - per["off"].get(n, 0) / runs[r - 1][0]["off"]) / hz * 1e6, n) for n in set(per[s]) | set(per["off"]))
        print(f"  round {r} {s}-off CPU us/req: " + ", ".join(f"{n} {d:+.2f}" for d, n in diffs[::-1][:4]) + f"; total {sum(d for d, n in diffs):+.2f}")
errors = sum(run[4] for run in runs)
if errors:
    print(f"{errors} errors (non-2xx or socket) in the turns, see {raw}")
PYEOF
