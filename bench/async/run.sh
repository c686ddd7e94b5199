#!/usr/bin/env bash
# Durable async enqueue rate: how many Event invokes a second Stratus accepts (each one committed to
# the SQLite event queue before its 202), against DryRun invokes on the same server in the same run
# (the same request parsing, function lookup and validation, nothing stored) as the baseline.
# The events also run while they are measured: the dispatcher works through the backlog meanwhile.
#
# Usage: bash bench/async/run.sh        (build first: dotnet build -c Release)
# Knobs (environment): BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_THREADS (2).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
export BENCH_LIB=$ROOT/bench/lib

die() { printf 'bench/async: %s\n' "$*" >&2; exit 1; }
for tool in wrk curl python3; do command -v "$tool" >/dev/null || die "$tool is required"; done
[[ -x $STRATUS ]] || die "build first: dotnet build -c Release ($STRATUS is missing)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-async.XXXXXX")
SERVER_PID=""
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

source "$BENCH_LIB/auth.sh"

# A server of its own on a free port, with its own data directory.
"$STRATUS" server --listen 127.0.0.1:0 --data "$WORK/data" >"$WORK/stdout" 2>"$WORK/stderr" &
SERVER_PID=$!
for _ in $(seq 300); do grep -q "listening on" "$WORK/stdout" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^Stratus listening on //p' "$WORK/stdout")
[[ -n $URL ]] || die "server did not start: $(cat "$WORK/stderr")"

python3 - "$WORK/fn.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("index.js", "exports.handler = async () => null;\n")
PY
ZIP=$(base64 -w0 "$WORK/fn.zip")
scurl -sf -o /dev/null -X POST "$URL/2015-03-31/functions" -H 'Content-Type: application/json' \
  -d "{\"FunctionName\":\"noop\",\"Runtime\":\"nodejs20.x\",\"Handler\":\"index.handler\",\"Role\":\"arn:aws:iam::123456789012:role/bench\",\"Code\":{\"ZipFile\":\"$ZIP\"}}" \
  || die "could not create the function"

TARGET="$URL/2015-03-31/functions/noop/invocations"
measure() { # $1 = invocation type, $2 = duration; prints the RESULT line
  presign POST "$TARGET" '{}'
  INVOCATION_TYPE=$1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" -s "$HERE/invoke-type.lua" "$TARGET" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

measure DryRun 3s >/dev/null
dry=$(measure DryRun "$DURATION")
measure Event 3s >/dev/null
event=$(measure Event "$DURATION")

dry_rps=$(field rps "$dry"); event_rps=$(field rps "$event")
errors=$(( $(field errors_status "$event") + $(field errors_connect "$event") + $(field errors_read "$event") + $(field errors_timeout "$event") ))
cat <<REPORT

Durable async enqueue, $CONNECTIONS connections, $DURATION, $(nproc) cores
| invocation type | requests/s | p50 | p99 |
|---|---|---|---|
| DryRun (baseline: validated, not stored) | $dry_rps | $(field p50_us "$dry") us | $(field p99_us "$dry") us |
| Event (committed to the queue before 202) | $event_rps | $(field p50_us "$event") us | $(field p99_us "$event") us |
Event errors: $errors
Event / DryRun: $(python3 -c "print(f'{$event_rps / $dry_rps:.2f}')")
REPORT
