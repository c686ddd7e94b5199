namespace Stratus.Bench.KeepAlive;

/// <summary>One invocation of the trace: when it arrives and how long it runs, in milliseconds from the trace's start.</summary>
internal readonly record struct TraceInvocation(long StartMs, long DurationMs)
{
    public long EndMs => StartMs + DurationMs;
}
