#!/usr/bin/env bash
# The developer loop: how long from saving a file to the new code answering an Invoke.
# Baseline (same run, same server, same project): saving, then running `stratus deploy` by hand.
# Measured: `stratus dev` running, from the save to its "function hello: updated" line and to the
# first Invoke answering with the new code. measure.py starts the server and does the rest.
#
# Usage: bash bench/devloop/run.sh        Knobs: BENCH_ROUNDS (20)
# Prints a table; raw samples in bench/results/devloop/.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$(dirname "$DIR")")
RAW=$ROOT/bench/results/devloop
for tool in node dotnet python3; do command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }; done

source "$ROOT/bench/lib/auth.sh"
rm -rf "$RAW" && mkdir -p "$RAW"
echo "==> building Stratus (Release)" >&2
dotnet build -c Release --nologo -v q "$ROOT/src/Stratus.Cli" >"$RAW/build.log" 2>&1 || { cat "$RAW/build.log" >&2; exit 1; }
exec python3 "$DIR/measure.py" "$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus" "${BENCH_ROUNDS:-20}" "$RAW"
