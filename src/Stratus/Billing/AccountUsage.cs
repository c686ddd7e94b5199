namespace Stratus.Billing;

/// <summary>One account's usage of one runtime.</summary>
public sealed record AccountUsage(string AccountId, RuntimeUsage Usage);
