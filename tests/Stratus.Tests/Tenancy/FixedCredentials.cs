using Stratus.Tenancy;

namespace Stratus.Tests.Tenancy;

/// <summary>A secret lookup holding one access key.</summary>
public sealed class FixedCredentials(string knownKeyId, string knownSecret, string knownAccountId) : ISecretLookup
{
    public bool TryGetSecret(string accessKeyId, out string secret, out string accountId)
    {
        var known = accessKeyId == knownKeyId;
        secret = known ? knownSecret : "";
        accountId = known ? knownAccountId : "";
        return known;
    }
}
