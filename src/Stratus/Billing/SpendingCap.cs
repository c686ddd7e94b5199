namespace Stratus.Billing;

/// <summary>
/// An account's monthly spending cap: once the month's charges reach <see cref="Amount"/> its
/// invocations are throttled until the cap is raised or the month ends. A warning is logged and
/// recorded once per month as the charges reach each of <see cref="Thresholds"/> (percent of the cap).
/// </summary>
public sealed record SpendingCap(string AccountId, decimal Amount, IReadOnlyList<int> Thresholds)
{
    public static IReadOnlyList<int> DefaultThresholds { get; } = [50, 80, 100];
}
