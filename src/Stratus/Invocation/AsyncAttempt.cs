namespace Stratus.Invocation;

/// <summary>What became of one run of an asynchronous event, once the queue holds its new state.</summary>
/// <param name="Outcome">Succeeded, Retrying (function error), Throttled (throttle or system error), Failed, or Dropped (function gone).</param>
/// <param name="Condition">For Succeeded and Failed: Success, RetriesExhausted or EventAgeExceeded.</param>
public sealed record AsyncAttempt(string RequestId, string FunctionName, string Outcome, string? Condition, int InvokeCount, DateTimeOffset? RetryAt, ReadOnlyMemory<byte> Response)
{
    public const string Succeeded = "Succeeded";
    public const string Retrying = "Retrying";
    public const string Throttled = "Throttled";
    public const string Failed = "Failed";
    public const string Dropped = "Dropped";
}
