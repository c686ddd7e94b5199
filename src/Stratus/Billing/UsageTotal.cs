namespace Stratus.Billing;

/// <summary>How usage totals are grouped.</summary>
public enum UsageGrouping
{
    Day,
    Function,
}

/// <summary>What to sum: one account's records started in [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed record UsageQuery(string AccountId, DateTimeOffset From, DateTimeOffset To, string? FunctionName, UsageGrouping GroupBy);

/// <summary>One group's totals: its key is a UTC day (yyyy-MM-dd) or a function name.</summary>
public sealed record UsageTotal(string Key, long Requests, long BilledMs, long MegabyteMilliseconds)
{
    public decimal GbSeconds => Usage.GbSeconds(MegabyteMilliseconds);
}
