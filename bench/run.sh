#!/usr/bin/env bash
# Stratus benchmarks, all measured in one run against baselines from the same run:
#   (a) warm Invoke throughput and latency (wrk) vs a raw node `http` server running the same handler;
#   (b) cold start: the first Invoke after a configuration change (hyperfine) vs `node -e 0` and a
#       warm Invoke with the same client (curl).
# Prints a table and writes bench/results/latest.md (raw outputs in bench/results/raw/).
#
# Usage: bash bench/run.sh
# Knobs (environment): BENCH_DURATION (10s), BENCH_WARMUP (20s), BENCH_WINDOW (5s), BENCH_SERVERS (3),
#   BENCH_WINDOWS (4: pairs of windows per server),
#   BENCH_COLD_RUNS (50), BENCH_WARM_RUNS (100),
#   BENCH_EXTRA_CONNECTIONS (e.g. "8 16": extra wrk runs at those connection counts).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-20s}
WINDOW=${BENCH_WINDOW:-5s}
SERVERS=${BENCH_SERVERS:-3}
WINDOWS=${BENCH_WINDOWS:-4}
COLD_RUNS=${BENCH_COLD_RUNS:-50}
WARM_RUNS=${BENCH_WARM_RUNS:-100}
EXTRA_CONNECTIONS=${BENCH_EXTRA_CONNECTIONS:-}
RESULTS=$BENCH_DIR/results
RAW=$RESULTS/raw
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
FUNCTION=hello
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
missing=()
for tool in wrk hyperfine curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing tools: ${missing[*]} (apt-get install ${missing[*]})"
  fi
fi
command -v node >/dev/null || die "node is required"
command -v dotnet >/dev/null || die "dotnet is required"
NODE=$(command -v node)
# Stratus starts instances with a clean environment (PATH, LANG, TZ and the Lambda variables only).
# The baselines get one too: variables such as NODE_EXTRA_CA_CERTS (set on some machines) make every
# node start tens of milliseconds slower, and a proxy variable could reroute curl.
CLEAN_ENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8 TZ=:UTC)

# Every API request is signed with the benchmark's root key (curl --aws-sigv4, presigned wrk requests).
source "$BENCH_DIR/lib/auth.sh"

# ---------------------------------------------------------------- processes and cleanup
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench.XXXXXX")
SERVER_PID=""
BASELINE_PID=""

# stop_server: SIGTERM (Stratus stops every instance process itself), then SIGKILL after 30 s.
stop_server() {
  [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null || { SERVER_PID=""; return 0; }
  local instances
  instances=$(pgrep -P "$SERVER_PID" || true)
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "bench: Stratus did not stop within 30 s of SIGTERM; killing it and its instances" >&2
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    for pid in $instances; do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $BASELINE_PID ]] && kill -0 "$BASELINE_PID" 2>/dev/null; then
    kill -TERM "$BASELINE_PID" 2>/dev/null || true
    wait "$BASELINE_PID" 2>/dev/null || true
  fi
  stop_server
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_line FILE REGEX PID SECONDS: polls FILE until a line matches, failing if PID dies first.
wait_for_line() {
  local file=$1 regex=$2 pid=$3 seconds=$4 i
  for ((i = 0; i < seconds * 20; i++)); do
    grep -Eq "$regex" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; die "process $pid exited before printing /$regex/"; }
    sleep 0.05
  done
  cat "$file" >&2
  die "no /$regex/ from process $pid within ${seconds}s"
}

# busy_percent SECONDS: percentage of all CPUs busy over the next SECONDS (from /proc/stat).
busy_percent() {
  local a b
  a=$(awk '/^cpu / {print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  sleep "$1"
  b=$(awk '/^cpu / {print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2])}'
}

instances() { pgrep -c -P "$SERVER_PID" -f bootstrap.mjs || true; }

# run_wrk NAME URL THREADS CONNECTIONS DURATION: saves the output as $RAW/NAME.txt.
run_wrk() {
  local name=$1 url=$2 threads=$3 connections=$4 duration=$5
  log "wrk $name (-t$threads -c$connections -d$duration)"
  if [[ $url == "$INVOKE_URL" ]]; then
    presign POST "$url" '{}'
  else
    unset WRK_AMZ_DATE WRK_AUTHORIZATION
  fi
  wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$BENCH_DIR/lib/invoke.lua" "$url" >"$RAW/$name.txt"
  grep -q '^RESULT ' "$RAW/$name.txt" || { cat "$RAW/$name.txt" >&2; die "wrk $name printed no result"; }
}

rm -rf "$RAW"
mkdir -p "$RAW"

# ---------------------------------------------------------------- machine
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  if commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null); then
    [[ -z $(git -C "$ROOT" status --porcelain -- src runtimes) ]] || commit+=" (+ uncommitted changes in src/ or runtimes/)"
  else
    commit=unknown
  fi
  echo "commit=$commit"
  echo "cores=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "kernel=$(uname -sr)"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "dotnet_sdk=$(dotnet --version)"
  echo "dotnet_runtime=$(dotnet --list-runtimes | awk '/^Microsoft.AspNetCore.App 10\./ {v = $2} END {print v}')"
  echo "node=$("$NODE" --version)"
  echo "wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
  echo "duration=$DURATION"
  echo "warmup=$WARMUP"
  echo "window=$WINDOW"
  echo "servers=$SERVERS"
  echo "windows=$((SERVERS * WINDOWS))"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  # Share of the CPUs busy (with other work) over the 2 s before the run: the machine may be shared.
  echo "busy_before=$(busy_percent 2)"
} >"$RAW/meta.env"
ps -eo pid,pcpu,etime,args --sort=-pcpu | head -8 | cut -c1-200 >"$RAW/ps-before.txt"

# ---------------------------------------------------------------- build and start
log "building Stratus (Release)"
dotnet build -c Release --nologo -v q "$ROOT/src/Stratus.Cli" >"$RAW/build.log" 2>&1 || { cat "$RAW/build.log" >&2; die "build failed"; }
[[ -x $STRATUS ]] || die "no Release binary at $STRATUS"

# start_server N: a fresh Stratus (its own data directory) with the function deployed.
start_server() {
  local port
  port=$(free_port)
  log "starting Stratus (server $1 of $SERVERS) on 127.0.0.1:$port"
  rm -rf "${WORK:?}/data"
  "$STRATUS" server --listen "127.0.0.1:$port" --data "$WORK/data" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  wait_for_line "$WORK/server.log" '^Stratus listening on http://' "$SERVER_PID" 60
  ENDPOINT=$(grep -Eo -m1 'http://[0-9.:]+' "$WORK/server.log")
  INVOKE_URL=$ENDPOINT/2015-03-31/functions/$FUNCTION/invocations
  # 1769 MB is one full vCPU on Lambda, and under Stratus's cgroup CPU share: the raw node server,
  # one process with no CPU limit, is compared with instances allowed a core each.
  log "deploying $FUNCTION (nodejs20.x, 1769 MB)"
  "$STRATUS" deploy "$BENCH_DIR/function" --name "$FUNCTION" --runtime nodejs20.x --handler index.handler \
    --memory 1769 --endpoint "$ENDPOINT" >"$RAW/deploy.txt"
}
start_server 1

BASELINE_PORT=$(free_port)
log "starting the raw node baseline on 127.0.0.1:$BASELINE_PORT"
"${CLEAN_ENV[@]}" "$NODE" "$BENCH_DIR/baseline/server.js" "$BASELINE_PORT" >"$WORK/baseline.log" 2>&1 &
BASELINE_PID=$!
wait_for_line "$WORK/baseline.log" '^baseline listening on http://' "$BASELINE_PID" 30
BASELINE_URL=http://127.0.0.1:$BASELINE_PORT/

# The very first Invoke after the deploy (one sample, also in the table).
first=$(scurl -sf -o "$WORK/first.json" -w '%{time_total}' -X POST --data-binary '{}' "$INVOKE_URL")
echo "first_invoke_s=$first" >>"$RAW/meta.env"

# Both sides must answer with the same body.
stratus_body=$(scurl -sf -X POST --data-binary '{}' "$INVOKE_URL")
baseline_body=$(curl -sf -X POST --data-binary '{}' "$BASELINE_URL")
[[ $stratus_body == "$baseline_body" ]] || die "bodies differ: Stratus '$stratus_body' vs baseline '$baseline_body'"
echo "body=$stratus_body" >>"$RAW/meta.env"

# ---------------------------------------------------------------- (a) warm invokes
run_wrk raw-warmup "$BASELINE_URL" 2 64 "$WARMUP"
# The machine's speed drifts by 10-20 % over tens of seconds (others share its host), and both sides
# drift together. So the two are measured in short windows taken in turn, each window of one side
# next to one of the other (which of the two goes first alternates), and the throughput ratio is the
# median of the pairs' ratios: a slow minute weighs on both sides of a pair alike.
# Servers started alike can also differ by a few percent for as long as they run (measured one at a
# time they seemed 10-15 % apart, but most of that was the machine's speed during each one's minute;
# see "servers side by side" in docs/benchmarks.md): the windows are spread over BENCH_SERVERS fresh
# servers, each warmed up first, so that the ratio is not one server's luck. The single-connection and cold-start figures come from the last of them.
for server in $(seq "$SERVERS"); do
  if ((server > 1)); then
    stop_server
    start_server "$server"
  fi
  run_wrk "stratus-warmup-$server" "$INVOKE_URL" 2 64 "$WARMUP"
  for window in $(seq "$WINDOWS"); do
    if ((window % 2)); then sides=(stratus raw); else sides=(raw stratus); fi
    for side in "${sides[@]}"; do
      url=$INVOKE_URL
      [[ $side == raw ]] && url=$BASELINE_URL
      run_wrk "$side-c64-$(((server - 1) * WINDOWS + window))" "$url" 2 64 "$WINDOW"
    done
  done
done
echo "instances_after_c64=$(instances)" >>"$RAW/meta.env"
run_wrk stratus-c1 "$INVOKE_URL" 1 1 "$DURATION"
run_wrk raw-c1 "$BASELINE_URL" 1 1 "$DURATION"
for connections in $EXTRA_CONNECTIONS; do
  run_wrk "stratus-c$connections" "$INVOKE_URL" 2 "$connections" "$DURATION"
  run_wrk "raw-c$connections" "$BASELINE_URL" 2 "$connections" "$DURATION"
done

# The baseline is not needed any more; stop it so it does not share the CPU with the cold starts.
kill -TERM "$BASELINE_PID" && wait "$BASELINE_PID" 2>/dev/null || true
BASELINE_PID=""

# ---------------------------------------------------------------- (b) cold start
# Noise hurts the cold starts most: note how busy the CPUs are now (other sessions on a shared
# machine, or Stratus still storing the logs of the wrk runs), with no request in flight.
echo "busy_before_cold=$(busy_percent 2)" >>"$RAW/meta.env"
# -N: commands run without a shell, so the timings are the commands' own.
INVOKE_CMD="curl --aws-sigv4 aws:amz:us-east-1:lambda --user $BENCH_ACCESS_KEY_ID:$BENCH_SECRET_ACCESS_KEY -sf -o /dev/null -X POST --data-binary {} $INVOKE_URL"
log "hyperfine: cold Invoke ($COLD_RUNS runs, each after a configuration change)"
"${CLEAN_ENV[@]}" hyperfine -N --style basic --runs "$COLD_RUNS" \
  --prepare "bash $BENCH_DIR/lib/force-cold.sh $ENDPOINT $FUNCTION $SERVER_PID" \
  --export-json "$RAW/cold.json" -n cold-invoke "$INVOKE_CMD" >"$RAW/cold.txt"
# The warm Invoke it is compared with starts from the same state: the same prepare step, polling and
# waiting alike, without the configuration change.
log "hyperfine: warm Invoke after the same prepare step ($COLD_RUNS runs)"
"${CLEAN_ENV[@]}" hyperfine -N --style basic --runs "$COLD_RUNS" \
  --prepare "bash $BENCH_DIR/lib/force-cold.sh $ENDPOINT $FUNCTION $SERVER_PID --warm" \
  --export-json "$RAW/warm-prepared.json" -n warm-invoke-prepared "$INVOKE_CMD" >"$RAW/warm-prepared.txt"
echo "instances_after_cold=$(instances)" >>"$RAW/meta.env"

log "hyperfine: baselines (node -e 0, warm Invoke, /health; $WARM_RUNS runs each)"
"${CLEAN_ENV[@]}" hyperfine -N --style basic --warmup 5 --runs "$WARM_RUNS" --export-json "$RAW/baselines.json" \
  -n node-start "$NODE -e 0" \
  -n warm-invoke "$INVOKE_CMD" \
  -n health "curl -sf -o /dev/null $ENDPOINT/health" >"$RAW/baselines.txt"

# What the server itself reports for a cold start (REPORT line of the log tail).
log "server-reported Init Duration of 10 cold starts"
for _ in $(seq 10); do
  bash "$BENCH_DIR/lib/force-cold.sh" "$ENDPOINT" "$FUNCTION" "$SERVER_PID"
  scurl -sf -o /dev/null -D - -X POST -H 'X-Amz-Log-Type: Tail' --data-binary '{}' "$INVOKE_URL" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "x-amz-log-result" {print $2}' | base64 -d | grep '^REPORT' >>"$RAW/cold-reports.txt"
done

echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/meta.env"
cp "$WORK/server.log" "$RAW/server.log"

# ---------------------------------------------------------------- report
"$PY" "$BENCH_DIR/lib/report.py" "$RAW" "$RESULTS/latest.md"
