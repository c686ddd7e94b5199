#!/usr/bin/env bash
# Function URL throughput and latency (wrk) against the Invoke API, in one run on one server:
# the same hello-world function (bench/function) behind POST /lambda-url/<id>/ and behind
# POST /2015-03-31/functions/hello/invocations, at 64 connections and at 1.
# The ratio URL/Invoke is the cost of the payload format 2.0 (building the event, mapping the
# response) over a plain Invoke.
#
# Usage: bash bench/urls/run.sh        Knobs: BENCH_DURATION (10s), BENCH_WARMUP (10s)
# Prints a table; raw wrk outputs in bench/results/urls/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-10s}
RAW=$BENCH/results/urls
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
for tool in wrk curl node dotnet; do command -v "$tool" >/dev/null || die "$tool is required"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-urls.XXXXXX")
SERVER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    # SIGTERM: Stratus stops its instance processes itself.
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

source "$BENCH/lib/auth.sh"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$STRATUS" server --listen "127.0.0.1:$PORT" --data "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do grep -q '^Stratus listening on' "$WORK/server.log" && break; kill -0 "$SERVER_PID" || die "server exited"; sleep 0.05; done
ENDPOINT=http://127.0.0.1:$PORT

log "deploying hello (nodejs20.x, 1769 MB) and its function URL"
"$STRATUS" deploy "$BENCH/function" --name hello --runtime nodejs20.x --handler index.handler --memory 1769 --endpoint "$ENDPOINT" >/dev/null
URL=$(scurl -sf -X POST -H 'Content-Type: application/json' -d '{"AuthType":"NONE"}' "$ENDPOINT/2021-10-31/functions/hello/url" |
  "$PY" -c 'import json, sys; print(json.load(sys.stdin)["FunctionUrl"])')
INVOKE=$ENDPOINT/2015-03-31/functions/hello/invocations
[[ $(curl -sf -X POST -d '{}' "$URL") == hello ]] || die "the function URL did not answer hello"
[[ $(scurl -sf -X POST -d '{}' "$INVOKE") == '{"statusCode":200,"body":"hello"}' ]] || die "Invoke did not answer the function's result"

run() { # NAME URL THREADS CONNECTIONS DURATION
  log "wrk $1 (-t$3 -c$4 -d$5)"
  # Invoke is signed as the AWS clients sign it; the URL (AuthType NONE) is public.
  if [[ $2 == "$INVOKE" ]]; then presign POST "$2" '{}'; else unset WRK_AMZ_DATE WRK_AUTHORIZATION; fi
  wrk -t"$3" -c"$4" -d"$5" --latency -s "$BENCH/lib/invoke.lua" "$2" >"$RAW/$1.txt"
  grep -q '^RESULT ' "$RAW/$1.txt" || { cat "$RAW/$1.txt" >&2; die "wrk $1 printed no result"; }
}
run warmup-invoke "$INVOKE" 2 64 "$WARMUP"
run warmup-url "$URL" 2 64 "$WARMUP"
# Interleaved so that a change in the machine's load touches both sides alike.
run invoke-c64 "$INVOKE" 2 64 "$DURATION"
run url-c64 "$URL" 2 64 "$DURATION"
run invoke-c1 "$INVOKE" 1 1 "$DURATION"
run url-c1 "$URL" 1 1 "$DURATION"

"$PY" - "$RAW" <<'PYEOF'
import re, sys, pathlib
raw = pathlib.Path(sys.argv[1])
def result(name):
    line = next(l for l in (raw / f"{name}.txt").read_text().splitlines() if l.startswith("RESULT "))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
print(f"{'':14}{'Invoke API':>14}{'function URL':>14}{'URL/Invoke':>12}")
for c in ("c64", "c1"):
    i, u = result(f"invoke-{c}"), result(f"url-{c}")
    print(f"{c + ' req/s':14}{i['rps']:>14,.0f}{u['rps']:>14,.0f}{u['rps'] / i['rps']:>12.2f}")
    print(f"{c + ' p50 ms':14}{i['p50_us'] / 1000:>14.2f}{u['p50_us'] / 1000:>14.2f}{u['p50_us'] / i['p50_us']:>12.2f}")
    print(f"{c + ' p99 ms':14}{i['p99_us'] / 1000:>14.2f}{u['p99_us'] / 1000:>14.2f}{u['p99_us'] / i['p99_us']:>12.2f}")
    errors = sum(v for k, v in u.items() if k.startswith("errors")) + sum(v for k, v in i.items() if k.startswith("errors"))
    if errors:
        print(f"  {c}: {errors:.0f} errors (non-2xx or socket), see {raw}")
PYEOF
