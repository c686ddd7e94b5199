#!/usr/bin/env bash
# What logs, metrics and traces cost a warm Invoke: four kinds of server in one run, the same hello-world
# function (bench/function, nodejs20.x, 1769 MB) on each, driven by wrk (2 threads, 64 connections)
# with a sampled W3C traceparent of its own on every request (traced.lua):
#   off:   --no-log-capture --metrics off and no OTLP endpoint (the baseline);
#   lm:    log capture and metrics, /metrics scraped after each of its runs; no traces (the default);
#   on:    log capture, metrics and every invocation traced, its spans exported over OTLP/HTTP to a
#          stand-in collector (otlp-sink.mjs, on the same cores);
#   on10:  the same with --trace-sample-ratio 0.1.
# The runs alternate (off, lm, on, on10, then lm, on, on10, off, ...) so that a change in the machine's
# load touches all, each on a fresh server alone on the machine (see below); on a shared machine one
# run can still land on a burst of someone else's work, so the summary is the
# median over rounds of each round's ratio to off, beside the ratio of the means. The server's own CPU
# time per invocation (from /proc, not counting its instance processes) is shown too: it moves much
# less with the load of others than throughput does.
# The usage ledger, not the point here, runs on all four as by default.
#
# Usage: bash bench/observability/run.sh    Knobs: BENCH_DURATION (8s), BENCH_WARMUP (20s), BENCH_ROUNDS (4)
# Prints a table and each side's ratio to off; raw wrk outputs in bench/results/observability/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
DURATION=${BENCH_DURATION:-8s}
WARMUP=${BENCH_WARMUP:-20s}
ROUNDS=${BENCH_ROUNDS:-4}
RAW=$BENCH/results/observability
# shellcheck source=../lib/servers.sh
source "$BENCH/lib/servers.sh"
for tool in wrk curl node dotnet; do command -v "$tool" >/dev/null || die "$tool is required"; done

rm -rf "$RAW"
mkdir -p "$RAW"
build_stratus

node "$DIR/otlp-sink.mjs" >"$RAW/otlp-sink.txt" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do grep -q '^listening ' "$RAW/otlp-sink.txt" && break; sleep 0.05; done
SINK=http://127.0.0.1:$(sed -n 's/^listening //p' "$RAW/otlp-sink.txt")
[[ $SINK != http://127.0.0.1: ]] || die "the OTLP sink did not start"

# One server at a time, fresh for every side of every round and alone on the machine while it is warmed
# up and measured: two servers started alike and run side by side differ by up to 10-20 % in
# throughput for as long as they run (the first started usually the fastest), a difference that
# would otherwise be taken for the cost of logs, metrics or traces.
declare -A OPTIONS=([off]="--metrics off --no-log-capture" [lm]="" [on]="--otlp-endpoint $SINK" [on10]="--otlp-endpoint $SINK --trace-sample-ratio 0.1")
SIDES=(off lm on on10)
for round in $(seq "$ROUNDS"); do
  # Each round starts with the next side, so that no side always runs first (or last) in a round.
  order=("${SIDES[@]:round%4}" "${SIDES[@]:0:round%4}")
  for side in "${order[@]}"; do
    log "round $round of $ROUNDS: $side"
    # shellcheck disable=SC2086 # the options are words
    start_hello "$side" ${OPTIONS[$side]}
    url=$ENDPOINT/2015-03-31/functions/hello/invocations
    if [[ $side == off ]]; then
      [[ $(curl -s -o /dev/null -w '%{http_code}' "$ENDPOINT/metrics") != 200 ]] || die "the off server serves metrics"
    fi
    wrk_run "warmup-$side-$round" "$url" "$DIR/traced.lua" "$WARMUP"
    wrk_run "$side-$round" "$url" "$DIR/traced.lua" "$DURATION" "$SERVER_PID"
    if [[ $side != off ]]; then
      curl -sf "$ENDPOINT/metrics" >"$RAW/metrics-$side-$round.txt"
      grep -q '^stratus_invocations_total' "$RAW/metrics-$side-$round.txt" || die "the $side server shows no metrics"
    fi
    stop_server "$SERVER_PID"
  done
done

echo "OTLP sink: $(curl -sf "$SINK/stats")" | tee "$RAW/otlp-stats.txt"
"$PY" - "$RAW" "$ROUNDS" "${SIDES[@]}" <<'PYEOF'
import re, statistics, sys, pathlib
raw, rounds, names = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
def result(name):
    line = next(l for l in (raw / f"{name}.txt").read_text().splitlines() if l.startswith("RESULT "))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
others = names[1:]
print(f"{'round':7}" + "".join(f"{n + ' req/s':>12}" for n in names) + "".join(f"{n + '/off':>10}" for n in others)
      + "".join(f"{n + ' p50':>10}" for n in names))
total = dict.fromkeys(names, 0.0)
for r in range(1, rounds + 1):
    res = {n: result(f"{n}-{r}") for n in names}
    for n in names:
        total[n] += res[n]["rps"]
    print(f"{r:<7}" + "".join(f"{res[n]['rps']:>12,.0f}" for n in names)
          + "".join(f"{res[n]['rps'] / res['off']['rps']:>10.3f}" for n in others)
          + "".join(f"{res[n]['p50_us'] / 1000:>10.2f}" for n in names))
    errors = sum(v for n in names for k, v in res[n].items() if k.startswith("errors"))
    if errors:
        print(f"  round {r}: {errors:.0f} errors (non-2xx or socket), see {raw}")
print(f"{'mean':7}" + "".join(f"{total[n] / rounds:>12,.0f}" for n in names) + "".join(f"{total[n] / total['off']:>10.3f}" for n in others))
median = {n: statistics.median(result(f"{n}-{r}")["rps"] / result(f"off-{r}")["rps"] for r in range(1, rounds + 1)) for n in others}
print(f"{'median':7}" + " " * 12 * len(names) + "".join(f"{median[n]:>10.3f}" for n in others))
def cpu_us(name):
    fields = dict(kv.split("=") for kv in (raw / f"{name}.cpu").read_text().split())
    return int(fields["ticks"]) / int(fields["hz"]) * 1e6 / result(name)["requests"]
cpu = {n: statistics.median(cpu_us(f"{n}-{r}") for r in range(1, rounds + 1)) for n in names}
print("server CPU per invocation, median of the rounds (us): " + ", ".join(f"{n} {cpu[n]:.1f}" for n in names))
for n in others:
    print(f"  {n}: +{cpu[n] - cpu['off']:.1f} us ({(cpu[n] / cpu['off'] - 1) * 100:+.1f} %) over off")
def threads_us(name):
    hz = int(dict(kv.split("=") for kv in (raw / f"{name}.cpu").read_text().split())["hz"])
    per = {}
    for line in (raw / f"{name}.threads").read_text().splitlines():
        thread, ticks = line.rsplit("\t", 1)
        per[thread] = int(ticks) / hz * 1e6 / result(name)["requests"]
    return per
per_thread = {n: [threads_us(f"{n}-{r}") for r in range(1, rounds + 1)] for n in names}
threads = sorted({t for n in names for rounds_ in per_thread[n] for t in rounds_})
print("server CPU per invocation by thread, median of the rounds (us):")
print(f"  {'thread':18}" + "".join(f"{n:>9}" for n in names))
for t in threads:
    values = [statistics.median(r.get(t, 0.0) for r in per_thread[n]) for n in names]
    if max(values) >= 0.05:
        print(f"  {t:18}" + "".join(f"{v:>9.2f}" for v in values))
for n in others:
    print(f"cost of {n} against off: {(1 - median[n]) * 100:.1f} % of warm Invoke throughput (median of the rounds' ratios; of the means: {(1 - total[n] / total['off']) * 100:.1f} %)")
PYEOF
