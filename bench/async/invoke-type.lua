-- wrk script: the shared Invoke request and RESULT line (bench/lib/invoke.lua), sent with the
-- X-Amz-Invocation-Type taken from the environment (Event or DryRun).
dofile(os.getenv("BENCH_LIB") .. "/invoke.lua")
wrk.headers["X-Amz-Invocation-Type"] = os.getenv("INVOCATION_TYPE") or "Event"
