namespace Stratus.Runtime;

/// <summary>One event taken from <c>/invocation/next</c>: its headers and its body.</summary>
internal sealed class InvocationRequest
{
    public required string RequestId { get; init; }

    public required long DeadlineMs { get; init; }

    public required string InvokedFunctionArn { get; init; }

    public required string TraceId { get; init; }

    public string? ClientContext { get; init; }

    public required byte[] Body { get; init; }
}
