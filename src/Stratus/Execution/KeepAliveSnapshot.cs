namespace Stratus.Execution;

/// <summary>
/// A function's keep-alive as its stats show it: <c>histogram</c> or <c>fixed</c> (with the reason),
/// the windows in force, and how many idle times it has learnt from (and of those, how many were
/// longer than the histogram's range).
/// </summary>
internal sealed record KeepAliveSnapshot(
    string Policy,
    string? Reason,
    double PreWarmSeconds,
    double KeepAliveSeconds,
    long IdleTimes,
    long IdleTimesOutOfRange);
