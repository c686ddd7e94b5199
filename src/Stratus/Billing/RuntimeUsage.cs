namespace Stratus.Billing;

/// <summary>One runtime's usage in a month: requests and megabyte-milliseconds billed.</summary>
public sealed record RuntimeUsage(string Runtime, long Requests, long MegabyteMilliseconds);
