namespace Stratus.Execution;

/// <summary>What the Runtime API endpoint of one instance asks of that instance.</summary>
internal interface IRuntimeApiHandler
{
    /// <summary>
    /// Waits for the next invocation; null when the instance is being shut down. The task completes
    /// on the thread that assigns the work, which then writes it to the runtime itself.
    /// </summary>
    Task<DispatchedInvocation?> NextAsync();

    /// <summary>
    /// Takes a response or error for <paramref name="requestId"/> and returns the HTTP status to send.
    /// The caller's answer is handed back in <paramref name="outcome"/>, to be delivered once the
    /// runtime has been answered: the runtime gets its next event before the caller is served.
    /// </summary>
    int Complete(string requestId, byte[] body, string? errorType, bool isError, out Outcome? outcome);

    void InitError(byte[] body, string? errorType);

    /// <summary>The runtime sent a response over the payload limit.</summary>
    Outcome? ResponseTooLarge(string requestId);
}

/// <summary>An invocation as handed to the runtime, with its deadline and ARN.</summary>
internal sealed record DispatchedInvocation(InvocationRequest Invocation, long DeadlineMs, string FunctionArn, string TraceId);

/// <summary>A finished invocation whose caller has yet to be told.</summary>
internal readonly record struct Outcome(InvocationRequest Invocation, InvocationResult Result)
{
    public void Deliver() => Invocation.TryComplete(Result);
}
