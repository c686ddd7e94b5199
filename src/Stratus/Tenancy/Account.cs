namespace Stratus.Tenancy;

public enum AccountStatus
{
    Active,
    Disabled,
}

/// <summary>
/// Per-account limits, stored with the account; null means the server's own limit. Not enforced yet:
/// the engine and registry will read them when accounts own functions.
/// </summary>
public sealed record AccountQuotas(int? ConcurrencyLimit, int? MaxFunctions, long? MaxCodeSizeBytes)
{
    public static readonly AccountQuotas None = new(null, null, null);
}

/// <summary>A tenant: its 12-digit id appears in the ARNs of everything it owns.</summary>
public sealed record Account(string Id, string Name, AccountStatus Status, bool Root, DateTimeOffset Created, AccountQuotas Quotas);
