namespace Stratus.Billing;

/// <summary>
/// One invocation that ran, as metered: the ledger holds exactly one per (request id, attempt).
/// GB-seconds are derived from billed milliseconds and memory size, exactly (<see cref="GbSeconds"/>).
/// </summary>
public sealed record UsageRecord(
    string AccountId,
    string FunctionName,
    string Version,
    string RequestId,
    int Attempt,
    string Trigger,
    Execution.InvocationMetrics Metrics)
{
    /// <summary>The function's runtime, for price plans with prices per runtime.</summary>
    public string Runtime { get; init; } = "";

    public decimal GbSeconds => Usage.GbSeconds(Metrics.BilledMs * (long)Metrics.MemorySizeMb);
}

/// <summary>Lambda's unit of compute: GB-seconds from megabyte-milliseconds, as an exact decimal.</summary>
public static class Usage
{
    // 1000 ms × 1024 MB: 2^13 × 5^3, so the quotient is a terminating decimal and stays exact.
    private const decimal MbMsPerGbSecond = 1_024_000m;

    public static decimal GbSeconds(long megabyteMilliseconds) => megabyteMilliseconds / MbMsPerGbSecond;
}
