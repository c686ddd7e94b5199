#!/usr/bin/env bash
# hyperfine --prepare step: makes the next Invoke of FUNCTION a cold start, served as users get it.
# Changing the configuration makes a new revision; Stratus retires the warm instances of the old
# one, so the next Invoke has to start a new instance. We then wait until the retired process has
# exited and the standby node runtimes are booted again (all node bootstrap processes under the
# server are ready standbys), so neither overlaps the timed request.
# With --warm as a fourth argument it does the same waiting and polling but changes nothing: the
# warm Invoke it prepares starts from the same state of the machine as a cold one, so that
# cold - warm is the cold start alone.
# Usage: force-cold.sh ENDPOINT FUNCTION SERVER_PID [--warm]
set -euo pipefail
endpoint=$1 function=$2 server_pid=$3 mode=${4:-}
source "$(dirname "${BASH_SOURCE[0]}")/auth.sh"
if [[ $mode != --warm ]]; then
  scurl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' \
    --data-binary "{\"Description\":\"cold-$(date +%s%N)\"}" \
    "$endpoint/2015-03-31/functions/$function/configuration"
else
  scurl -sf -o /dev/null "$endpoint/2015-03-31/functions/$function/configuration"
fi
expected=1
[[ $mode == --warm ]] && expected=2 # the warm instance's node process runs beside the standby ones
for _ in $(seq 1000); do
  ready=$(scurl -sf "$endpoint/stratus/v1/engine" | grep -o '"node":[0-9]*' | cut -d: -f2)
  running=$(pgrep -c -P "$server_pid" -f nodejs/bootstrap.mjs || true)
  if [[ ${ready:-0} -ge 1 && ${running:-0} -eq $(( ${ready:-0} + expected - 1 )) ]]; then
    exit 0
  fi
  sleep 0.01
done
echo "force-cold: after 10 s, $function's retired instance still runs or no standby runtime is ready" >&2
exit 1
