using System.Diagnostics.CodeAnalysis;
using Stratus.Tenancy.SigV4;

namespace Stratus.Tests.Tenancy;

/// <summary>A credential lookup holding one access key.</summary>
public sealed class FixedCredentials(string knownKeyId, string knownSecret, string knownAccountId) : ICredentialLookup
{
    public bool TryGetSecret(string accessKeyId, [NotNullWhen(true)] out string? secret, [NotNullWhen(true)] out string? accountId)
    {
        var known = accessKeyId == knownKeyId;
        secret = known ? knownSecret : null;
        accountId = known ? knownAccountId : null;
        return known;
    }
}
