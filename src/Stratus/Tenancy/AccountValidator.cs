using System.Buffers;

namespace Stratus.Tenancy;

/// <summary>Bounds on what an admin may give: names like IAM's, quotas within what one node can hold.</summary>
internal static class AccountValidator
{
    public const int MaxNameLength = 64;
    public const int MaxConcurrency = 100_000;
    public const int MaxFunctions = 100_000;
    public const long MaxCodeSizeBytes = 1L << 40;
    private static readonly SearchValues<char> NameChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-");

    public static void Name(string? name)
    {
        if (name is not { Length: >= 1 and <= MaxNameLength } || name.AsSpan().ContainsAnyExcept(NameChars))
        {
            throw AccountErrors.Validation($"Name must be 1 to {MaxNameLength} letters, digits or +=,.@_-");
        }
    }

    public static void Quotas(AccountQuotas quotas)
    {
        if (quotas.ConcurrencyLimit is < 1 or > MaxConcurrency)
        {
            throw AccountErrors.Validation($"Quotas.ConcurrencyLimit must be between 1 and {MaxConcurrency}");
        }

        if (quotas.MaxFunctions is < 1 or > MaxFunctions)
        {
            throw AccountErrors.Validation($"Quotas.MaxFunctions must be between 1 and {MaxFunctions}");
        }

        if (quotas.MaxCodeSizeBytes is < 1 or > MaxCodeSizeBytes)
        {
            throw AccountErrors.Validation($"Quotas.MaxCodeSizeBytes must be between 1 and {MaxCodeSizeBytes}");
        }
    }

    public static void AccountId(string id)
    {
        if (!Credentials.IsAccountId(id))
        {
            throw AccountErrors.Validation("An account id is 12 digits");
        }
    }

    public static void KeyId(string id)
    {
        if (!Credentials.IsAccessKeyId(id))
        {
            throw AccountErrors.Validation("An access key id is 16 to 128 upper-case letters and digits");
        }
    }
}
