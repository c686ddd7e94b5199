namespace Stratus.Execution;

/// <summary>One request to run a function once, and the promise of its result.</summary>
public sealed class InvocationRequest
{
    // No RunContinuationsAsynchronously: the waiting request continues on the thread that completes it,
    // saving a thread-pool hop on every invoke. Completers never hold a lock when they complete.
    private readonly TaskCompletionSource<InvocationResult> _completion = new();

    public InvocationRequest(string requestId, ReadOnlyMemory<byte> payload, string? clientContext = null)
    {
        RequestId = requestId;
        Payload = payload;
        ClientContext = clientContext;
    }

    public string RequestId { get; }

    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Base64 JSON from <c>X-Amz-Client-Context</c>, passed to the runtime decoded.</summary>
    public string? ClientContext { get; }

    public Task<InvocationResult> Result => _completion.Task;

    /// <summary>The ARN the caller named (qualified only if the caller gave a qualifier), as the function sees it.</summary>
    public string? InvokedFunctionArn { get; init; }

    /// <summary>The log stream of the instance that ran it (Lambda's <c>YYYY/MM/DD/[version]id</c>), once one has.</summary>
    internal string LogStream { get; set; } = "";
    /// <summary>What started it (<c>invoke</c>, <c>event</c>, <c>url</c>, <c>queue</c>, <c>schedule</c>), for the usage ledger.</summary>
    public string Trigger { get; init; } = "invoke";

    /// <summary>Which run of this request id it is: an asynchronous event retried keeps its request id.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The caller's W3C trace context (<c>traceparent</c>); default when it sent none.</summary>
    public System.Diagnostics.ActivityContext ParentTrace { get; init; }

    /// <summary>
    /// The trace the function sees (<c>_X_AMZN_TRACE_ID</c>): the invocation's span when traces are
    /// exported, else the caller's context; default when neither exists.
    /// </summary>
    internal System.Diagnostics.ActivityContext Trace { get; set; }

    /// <summary>When its span began; default when it is not traced.</summary>
    internal DateTimeOffset TracedAt { get; set; }

    /// <summary>When it started waiting for an instance (a <see cref="TimeProvider"/> timestamp).</summary>
    internal long EnqueuedAt { get; set; }

    internal bool TryComplete(InvocationResult result) => _completion.TrySetResult(result);

    /// <summary>Ends the invocation with an API error (a throttle) instead of a result.</summary>
    internal bool TryFail(Exception error) => _completion.TrySetException(error);
}

/// <summary>
/// What an invocation produced. <see cref="FunctionError"/> is Lambda's <c>X-Amz-Function-Error</c>
/// (null on success); <see cref="Log"/> is the invocation's START..REPORT text.
/// </summary>
public sealed record InvocationResult(ReadOnlyMemory<byte> Payload, string? FunctionError, string Log)
{
    /// <summary>What the run measured; null when no instance ran it (its init failed, the server stopped).</summary>
    public InvocationMetrics? Metrics { get; init; }

    public static InvocationResult Failure(string requestId, string errorType, string message, string log = "") =>
        new(ErrorPayload(errorType, $"RequestId: {requestId} Error: {message}"), "Unhandled", log);

    public static byte[] ErrorPayload(string errorType, string message) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new RuntimeErrorPayload(errorType, message), ExecutionJson.Default.RuntimeErrorPayload);
}

internal sealed record RuntimeErrorPayload(string errorType, string errorMessage);

[System.Text.Json.Serialization.JsonSerializable(typeof(RuntimeErrorPayload))]
internal sealed partial class ExecutionJson : System.Text.Json.Serialization.JsonSerializerContext;
