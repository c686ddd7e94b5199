using System.Diagnostics.CodeAnalysis;

namespace Stratus.Tenancy.SigV4;

/// <summary>Finds the secret of an access key, and the account it belongs to, for signature checks.</summary>
public interface ICredentialLookup
{
    /// <summary>False when the key is unknown or disabled; the caller then answers UnrecognizedClientException.</summary>
    bool TryGetSecret(string accessKeyId, [NotNullWhen(true)] out string? secret, [NotNullWhen(true)] out string? accountId);
}
