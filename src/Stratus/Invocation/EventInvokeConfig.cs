namespace Stratus.Invocation;

/// <summary>
/// How a function's asynchronous invocations are retried and where their outcomes go (Lambda's
/// FunctionEventInvokeConfig). Null fields take Lambda's defaults.
/// </summary>
public sealed record EventInvokeConfig(
    string FunctionName,
    string Qualifier,
    int? MaximumRetryAttempts,
    int? MaximumEventAgeInSeconds,
    string? OnSuccess,
    string? OnFailure,
    DateTimeOffset LastModified)
{
    public const int DefaultMaximumRetryAttempts = 2;
    public const int DefaultMaximumEventAgeInSeconds = 21600;
    public const int MinimumEventAgeInSeconds = 60;

    public int RetryAttempts => MaximumRetryAttempts ?? DefaultMaximumRetryAttempts;

    public TimeSpan MaximumEventAge => TimeSpan.FromSeconds(MaximumEventAgeInSeconds ?? DefaultMaximumEventAgeInSeconds);

    /// <summary>What a function without a configuration gets.</summary>
    public static EventInvokeConfig Default(string functionName) =>
        new(functionName, "$LATEST", null, null, null, null, default);
}
