namespace Stratus.Billing;

/// <summary>An account's cap (null: none), the month's charges so far, whether it is throttled, and the warnings raised this month.</summary>
public sealed record SpendingStatus(string AccountId, string Period, string Currency, SpendingCap? Cap, decimal Charges, bool Throttled, IReadOnlyList<SpendingWarning> Warnings);
