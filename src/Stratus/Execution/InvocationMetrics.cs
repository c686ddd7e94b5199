namespace Stratus.Execution;

/// <summary>
/// What an invocation that ran measured, as its REPORT line shows it: the input of the usage ledger.
/// <see cref="BilledMs"/> includes the init phase on an on-demand cold start (Lambda bills it since
/// August 2025); <see cref="CpuMicros"/> is the cgroup's CPU time over the invocation, 0 where the
/// kernel offers no CPU accounting to read.
/// </summary>
public sealed record InvocationMetrics(
    DateTimeOffset StartedAt,
    double DurationMs,
    long BilledMs,
    double InitDurationMs,
    int MemorySizeMb,
    long MaxMemoryUsedMb,
    long CpuMicros,
    string Outcome)
{
    /// <summary>
    /// Lambda's billed duration: the duration, plus the init duration when the invocation paid for
    /// the cold start, rounded up to the next millisecond; at least 1 ms.
    /// </summary>
    public static long Billed(double durationMs, double initDurationMs) =>
        Math.Max(1, (long)Math.Ceiling(durationMs + Math.Max(0, initDurationMs)));
}

/// <summary>How an invocation ended, as the usage ledger records it.</summary>
public static class InvocationOutcome
{
    public const string Success = "success";
    public const string Error = "error";
    public const string Timeout = "timeout";
    public const string Crash = "crash";
}
