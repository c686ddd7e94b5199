namespace Stratus.Bench.KeepAlive;

/// <summary>One function of the trace under both policies.</summary>
internal sealed record FunctionResult(TraceFunction Function, FunctionOutcome Fixed, FunctionOutcome Adaptive);
