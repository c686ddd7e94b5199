namespace Stratus.Bench.KeepAlive;

/// <summary>A function of the trace: its kind (periodic, bursty, rare, steady), memory size and invocations in arrival order.</summary>
internal sealed record TraceFunction(string Name, string Kind, int MemoryMb, string Pattern, IReadOnlyList<TraceInvocation> Invocations);
