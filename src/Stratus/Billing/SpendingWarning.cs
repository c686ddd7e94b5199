namespace Stratus.Billing;

/// <summary>A threshold an account's charges reached in a month, and when.</summary>
public sealed record SpendingWarning(string AccountId, string Period, int Threshold, decimal Spend, DateTimeOffset At);
