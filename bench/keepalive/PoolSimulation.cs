using Stratus.Execution;

namespace Stratus.Bench.KeepAlive;

/// <summary>
/// Replays one function's invocations in simulated time against a keep-alive policy, the way the
/// engine's instance pool acts on it: an invocation takes the most recently idle instance or starts
/// one (a cold start); each instance runs one invocation at a time, so overlapping invocations run
/// on as many instances; a reaper every second lets go of instances idle past the policy's limit and
/// pre-warms one when the policy says so. Instances start instantly (init time is left out for both
/// policies alike) and memory is unbounded (the node's budget and its evictions are not modelled).
/// </summary>
internal static class PoolSimulation
{
    private static readonly long ReaperPeriodMs = 1000;

    public static FunctionOutcome Run(TraceFunction function, bool adaptive, TimeSpan fixedKeepAlive, TimeSpan length)
    {
        var time = new SimulatedTime();
        var policy = new KeepAlivePolicy(fixedKeepAlive, adaptive, time);
        var idle = new List<(long SinceMs, bool Ahead)>();
        var running = new PriorityQueue<long, long>();
        var horizon = (long)length.TotalMilliseconds;
        long cold = 0, preWarms = 0, preWarmHits = 0;
        double idleMbMs = 0;
        var next = 0;
        var nextTick = ReaperPeriodMs;
        while (true)
        {
            var arrival = next < function.Invocations.Count ? function.Invocations[next].StartMs : long.MaxValue;
            var end = running.TryPeek(out _, out var firstEnd) ? firstEnd : long.MaxValue;
            var now = Math.Min(Math.Min(arrival, end), nextTick);
            if (now >= horizon)
            {
                break;
            }

            time.Now = TimeSpan.FromMilliseconds(now);
            if (end == now)
            {
                // Ends before arrivals at the same moment: the freed instance can take the arrival.
                running.Dequeue();
                policy.Finished();
                idle.Add((now, false));
            }
            else if (arrival == now)
            {
                var invocation = function.Invocations[next++];
                policy.Arrived();
                if (idle.Count > 0)
                {
                    var (since, ahead) = idle[^1];
                    idle.RemoveAt(idle.Count - 1);
                    idleMbMs += (now - since) * (double)function.MemoryMb;
                    preWarmHits += ahead ? 1 : 0;
                }
                else
                {
                    cold++;
                }

                running.Enqueue(invocation.EndMs, invocation.EndMs);
            }
            else
            {
                nextTick += ReaperPeriodMs;
                var windows = policy.Windows;
                for (var i = idle.Count - 1; i >= 0; i--)
                {
                    if (now - idle[i].SinceMs >= windows.IdleLimit(idle[i].Ahead).TotalMilliseconds)
                    {
                        idleMbMs += (now - idle[i].SinceMs) * (double)function.MemoryMb;
                        idle.RemoveAt(i);
                    }
                }

                if (idle.Count == 0 && running.Count == 0 && policy.TakePreWarm() is var count and > 0)
                {
                    for (var i = 0; i < count; i++)
                    {
                        idle.Add((now, true));
                    }

                    preWarms += count;
                }
            }
        }

        // Instances still idle at the end count up to the end.
        foreach (var (since, _) in idle)
        {
            idleMbMs += (horizon - since) * (double)function.MemoryMb;
        }

        return new FunctionOutcome(function.Invocations.Count, cold, idleMbMs / 1024 / 1000, preWarms, preWarmHits, policy.Snapshot());
    }
}
