#!/usr/bin/env bash
# The developer loop: how long from saving a file to the new code answering an Invoke.
# Baseline (same run, same server, same project): saving, then running `stratus deploy` by hand
# until it returns. Measured: `stratus dev` running, saving, until its "function hello: updated"
# line, and until an Invoke answers with the new code.
#
# Usage: bash bench/devloop/run.sh        Knobs: BENCH_ROUNDS (20)
# Prints a table; raw samples in bench/results/devloop/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$DIR")
ROOT=$(dirname "$BENCH")
RAW=$BENCH/results/devloop
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
for tool in node dotnet; do command -v "$tool" >/dev/null || die "$tool is required"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-devloop.XXXXXX")
SERVER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
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

log "stratus new node hello; stratus deploy"
"$STRATUS" new node hello --output "$WORK/hello" >/dev/null
"$STRATUS" deploy "$WORK/hello" --endpoint "http://127.0.0.1:$PORT" >/dev/null

log "measuring ${BENCH_ROUNDS:-20} rounds of each"
"$PY" "$DIR/measure.py" "$STRATUS" "http://127.0.0.1:$PORT" "$WORK/hello" "${BENCH_ROUNDS:-20}" "$RAW"
