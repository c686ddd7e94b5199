#!/usr/bin/env bash
# Runs the whole Stratus test suite on a fresh Debian machine: installs what the tests drive
# (the AWS CLI v2, curl, zip, node packages), builds, runs every test, and prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/bin/aws ] || missing+=(awscli)
command -v curl >/dev/null || missing+=(curl)
command -v zip >/dev/null || missing+=(zip)
command -v unzip >/dev/null || missing+=(unzip)
[ -x /usr/bin/python3 ] || missing+=(python3)
command -v node >/dev/null || missing+=(nodejs npm)
# The web console's browser tests drive Debian's Chromium (through Playwright's bundled driver).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# NativeAOT (the provided.al2023 C# bootstrap the tests publish) links with clang against zlib.
command -v clang >/dev/null || missing+=(clang)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if ((${#missing[@]})); then
  echo "Installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --prefix tests/sdk --no-audit --no-fund --loglevel=error

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test Stratus.slnx -c Release --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" || status=$?

# One closing line a person or CI can read: counts come from the test results, not from guesses.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ]; then
  echo "No tests ran: treating that as a failure." >&2
  exit 1
fi
if [ "$failed" -ne 0 ] || [ "$skipped" -ne 0 ]; then
  exit 1
fi
exit "$status"
