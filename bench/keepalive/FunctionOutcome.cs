using Stratus.Execution;

namespace Stratus.Bench.KeepAlive;

/// <summary>What one policy did for one function over the trace.</summary>
internal sealed record FunctionOutcome(
    long Invocations,
    long ColdStarts,
    double IdleGbSeconds,
    long PreWarms,
    long PreWarmHits,
    KeepAliveSnapshot Final);
