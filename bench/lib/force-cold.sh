#!/usr/bin/env bash
# hyperfine --prepare step: makes the next Invoke of FUNCTION a cold start.
# Changing the configuration makes a new revision; Stratus retires the warm instances of the old
# one, so the next Invoke has to start a new runtime process. We also wait until the retired
# process has exited, so its teardown does not overlap the timed request.
# Usage: force-cold.sh ENDPOINT FUNCTION SERVER_PID
set -euo pipefail
endpoint=$1 function=$2 server_pid=$3
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' \
  --data-binary "{\"Description\":\"cold-$(date +%s%N)\"}" \
  "$endpoint/2015-03-31/functions/$function/configuration"
for _ in $(seq 500); do
  pgrep -P "$server_pid" -f bootstrap.mjs >/dev/null || exit 0
  sleep 0.01
done
echo "force-cold: the retired instance of $function is still running after 5 s" >&2
exit 1
