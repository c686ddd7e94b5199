#!/usr/bin/env bash
# Queue-to-function delivery latency at low load, with a synchronous Invoke of the same function as the
# baseline in the same run. Builds Stratus, starts it on a free port with a fresh data directory,
# runs bench/queues/measure.mjs, stops Stratus with SIGTERM. Needs dotnet, node (20+), zip, curl.
# BENCH_MESSAGES (default 200) sets how many messages are measured.
set -euo pipefail
cd "$(dirname "$0")/../.."

dotnet build -c Release src/Stratus.Cli >/dev/null
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir "$work/code" && cp bench/queues/function.js "$work/code/index.js" && (cd "$work/code" && zip -q ../function.zip index.js)
# Development mode (any signature): the figure is delivery or timing inside the server, and
# the measuring script sends plain requests; signature checking costs are measured in bench/run.sh.
src/Stratus.Cli/bin/Release/net10.0/stratus server --listen 127.0.0.1:0 --data "$work/data" --insecure-any-signature >"$work/server.log" 2>"$work/server.err" &
server=$!
for _ in $(seq 1 100); do
  line=$(head -1 "$work/server.log" 2>/dev/null || true)
  [[ "$line" == "Stratus listening on "* ]] && break
  sleep 0.1
done
endpoint=${line#Stratus listening on }
[[ "$endpoint" == http* ]] || { echo "Stratus did not start: $(cat "$work/server.log" "$work/server.err")" >&2; exit 1; }

echo "Machine: $(nproc) cores, $(uname -sr); Stratus at $endpoint"
STRATUS_ENDPOINT=$endpoint node bench/queues/measure.mjs "$work/function.zip" "${BENCH_MESSAGES:-200}"
