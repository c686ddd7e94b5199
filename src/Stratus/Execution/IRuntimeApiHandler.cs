namespace Stratus.Execution;

/// <summary>What the Runtime API endpoint of one instance asks of that instance.</summary>
internal interface IRuntimeApiHandler
{
    /// <summary>Waits for the next invocation; null when the instance is being shut down.</summary>
    Task<DispatchedInvocation?> NextAsync(CancellationToken cancellationToken);

    /// <summary>Takes a response or error for <paramref name="requestId"/>; returns the HTTP status to send.</summary>
    Task<int> CompleteAsync(string requestId, ReadOnlyMemory<byte> body, string? errorType, bool isError);

    void InitError(ReadOnlyMemory<byte> body, string? errorType);

    /// <summary>The runtime sent a response over the payload limit.</summary>
    Task ResponseTooLargeAsync(string requestId);
}

/// <summary>An invocation as handed to the runtime, with its deadline and ARN.</summary>
internal sealed record DispatchedInvocation(InvocationRequest Invocation, long DeadlineMs, string FunctionArn, string TraceId);
