#!/usr/bin/env bash
# Replays the synthetic keep-alive trace against the fixed 10-minute keep-alive and the adaptive
# (histogram) policy, and prints both policies' cold starts and idle instance memory as Markdown.
# The trace is generated from a fixed seed into bench/keepalive/trace/ (the same bytes every run).
#
# Usage: bash bench/keepalive/run.sh [--seed N] [--fixed-keep-alive MINUTES]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v dotnet >/dev/null || { echo "keepalive: dotnet is required" >&2; exit 1; }
dotnet run -c Release -v q -- --generate --trace trace "$@"
