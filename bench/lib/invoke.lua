-- wrk script: POST '{}' (an Invoke with an empty JSON event) and, at the end, one
-- machine-readable RESULT line that run.sh parses (latencies in microseconds).
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
-- A signed request (bench/lib/auth.sh presign), replayed: the server verifies it every time.
if os.getenv("WRK_AUTHORIZATION") then
  wrk.headers["X-Amz-Date"] = os.getenv("WRK_AMZ_DATE")
  wrk.headers["Authorization"] = os.getenv("WRK_AUTHORIZATION")
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors_status=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
