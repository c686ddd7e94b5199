#!/usr/bin/env bash
# hyperfine --prepare step: makes the next Invoke of FUNCTION a cold start. A configuration change
# makes a new revision and Stratus retires the old one's warm instance; we wait until its process
# (matched by PATTERN among the server's children) has exited, so it does not overlap the timed request.
# With --warm it waits the same way but changes nothing: the warm Invoke it prepares starts from the
# same state of the machine, so that cold - warm is the cold start alone.
# Usage: prepare.sh ENDPOINT FUNCTION SERVER_PID PATTERN [--warm]   (SIGN: curl's signing arguments)
set -euo pipefail
endpoint=$1 function=$2 server_pid=$3 pattern=$4 mode=${5:-}
read -ra sign <<<"${SIGN:-}"
expected=0
if [[ $mode != --warm ]]; then
  curl -sf -o /dev/null "${sign[@]}" -X PUT -H 'Content-Type: application/json' \
    --data-binary "{\"Description\":\"cold-$(date +%s%N)\"}" \
    "$endpoint/2015-03-31/functions/$function/configuration"
else
  curl -sf -o /dev/null "${sign[@]}" "$endpoint/2015-03-31/functions/$function/configuration"
  expected=1
fi
for _ in $(seq 1000); do
  running=$(pgrep -c -P "$server_pid" -f "$pattern" || true)
  if [[ ${running:-0} -eq $expected ]]; then
    exit 0
  fi
  sleep 0.01
done
echo "prepare: after 10 s, $function has $running instance processes, not $expected" >&2
exit 1
