#!/usr/bin/env bash
# What logs, metrics and traces cost a warm Invoke: two servers in one run, the same hello-world
# function (bench/function, nodejs20.x, 1769 MB) on each, driven by wrk at 64 connections with a
# W3C traceparent on every request:
#   on:  log capture, metrics (/metrics, scraped once a run) and traces exported over OTLP/HTTP to a
#        stand-in collector (otlp-sink.mjs) -- everything a production server has on;
#   off: --no-log-capture --metrics off and no OTLP endpoint (the baseline).
# Knobs that are not the point stay as the default: the usage ledger runs on both.
# The runs alternate (off, on, off, on, ...) so that a change in the machine's load touches both.
#
# Usage: bash bench/observability/run.sh    Knobs: BENCH_DURATION (10s), BENCH_WARMUP (10s), BENCH_ROUNDS (3)
# Prints a table and the ratios lm/off and on/off; raw wrk outputs in bench/results/observability/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
RAW=$BENCH/results/observability
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
for tool in wrk curl node dotnet; do command -v "$tool" >/dev/null || die "$tool is required"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-observability.XXXXXX")
PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    # SIGTERM: Stratus stops its instance processes itself; the sink prints its counts.
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

node "$DIR/otlp-sink.mjs" >"$RAW/otlp-sink.txt" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do grep -q '^listening ' "$RAW/otlp-sink.txt" && break; sleep 0.05; done
SINK_PORT=$(sed -n 's/^listening //p' "$RAW/otlp-sink.txt")
[[ -n $SINK_PORT ]] || die "the OTLP sink did not start"

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start() { # NAME EXTRA-ARGS... ; sets ENDPOINT
  local name=$1 port
  shift
  port=$(free_port)
  "$STRATUS" server --listen "127.0.0.1:$port" --data "$WORK/$name" "$@" >"$RAW/server-$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do grep -q '^Stratus listening on' "$RAW/server-$name.log" && break; kill -0 "${PIDS[-1]}" || die "server $name exited"; sleep 0.05; done
  ENDPOINT=http://127.0.0.1:$port
  "$STRATUS" deploy "$BENCH/function" --name hello --runtime nodejs20.x --handler index.handler --memory 1769 --endpoint "$ENDPOINT" >/dev/null
  [[ $(curl -sf -X POST -d '{}' "$ENDPOINT/2015-03-31/functions/hello/invocations") == '{"statusCode":200,"body":"hello"}' ]] || die "$name: Invoke did not answer the function's result"
}

log "starting the server with everything on (logs, metrics, traces to 127.0.0.1:$SINK_PORT)"
start on --otlp-endpoint "http://127.0.0.1:$SINK_PORT"
ON=$ENDPOINT
log "starting the server with logs and metrics on, no traces"
start lm
LM=$ENDPOINT
log "starting the server with everything off"
start off --metrics off --no-log-capture
OFF=$ENDPOINT
curl -sf "$ON/metrics" | grep -q '^stratus_invocations_total' || die "the on server shows no metrics"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$OFF/metrics") != 200 ]] || die "the off server serves metrics"

run() { # NAME ENDPOINT DURATION
  log "wrk $1 (-t2 -c64 -d$3)"
  wrk -t2 -c64 -d"$3" --latency -s "$DIR/traced.lua" "$2/2015-03-31/functions/hello/invocations" >"$RAW/$1.txt"
  grep -q '^RESULT ' "$RAW/$1.txt" || { cat "$RAW/$1.txt" >&2; die "wrk $1 printed no result"; }
}
run warmup-off "$OFF" "$WARMUP"
run warmup-lm "$LM" "$WARMUP"
run warmup-on "$ON" "$WARMUP"
for round in $(seq "$ROUNDS"); do
  run "off-$round" "$OFF" "$DURATION"
  run "lm-$round" "$LM" "$DURATION"
  curl -sf "$LM/metrics" >/dev/null
  run "on-$round" "$ON" "$DURATION"
  # A scraper reads the metrics between runs, as Prometheus would.
  curl -sf "$ON/metrics" >"$RAW/metrics-$round.txt"
done

echo "OTLP sink: $(curl -sf "http://127.0.0.1:$SINK_PORT/stats")" | tee "$RAW/otlp-stats.txt"
"$PY" - "$RAW" "$ROUNDS" <<'PYEOF'
import re, sys, pathlib
raw, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
def result(name):
    line = next(l for l in (raw / f"{name}.txt").read_text().splitlines() if l.startswith("RESULT "))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
names = ("off", "lm", "on")
print(f"{'round':7}" + "".join(f"{n + ' req/s':>11}" for n in names) + f"{'lm/off':>8}{'on/off':>8}" + "".join(f"{n + ' p50':>9}" for n in names) + "".join(f"{n + ' p99':>9}" for n in names))
total = dict.fromkeys(names, 0.0)
for r in range(1, rounds + 1):
    res = {n: result(f"{n}-{r}") for n in names}
    for n in names:
        total[n] += res[n]["rps"]
    print(f"{r:<7}" + "".join(f"{res[n]['rps']:>11,.0f}" for n in names)
          + f"{res['lm']['rps'] / res['off']['rps']:>8.3f}{res['on']['rps'] / res['off']['rps']:>8.3f}"
          + "".join(f"{res[n]['p50_us'] / 1000:>9.2f}" for n in names) + "".join(f"{res[n]['p99_us'] / 1000:>9.2f}" for n in names))
    errors = sum(v for n in names for k, v in res[n].items() if k.startswith("errors"))
    if errors:
        print(f"  round {r}: {errors:.0f} errors (non-2xx or socket), see {raw}")
print(f"{'all':7}" + "".join(f"{total[n] / rounds:>11,.0f}" for n in names) + f"{total['lm'] / total['off']:>8.3f}{total['on'] / total['off']:>8.3f}")
print(f"cost of logs + metrics: {(1 - total['lm'] / total['off']) * 100:.1f} %; of logs + metrics + traces: {(1 - total['on'] / total['off']) * 100:.1f} % of warm Invoke throughput (target: under 10 %)")
last = (raw / f"metrics-{rounds}.txt").read_text()
count = sum(float(l.split()[-1]) for l in last.splitlines() if l.startswith("stratus_invocations_total{"))
print(f"the on server's /metrics counted {count:,.0f} invocations")
PYEOF
