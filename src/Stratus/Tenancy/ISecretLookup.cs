namespace Stratus.Tenancy;

/// <summary>What the SigV4 verifier asks: the secret of an access key that may sign requests.</summary>
public interface ISecretLookup
{
    /// <summary>
    /// The secret and account of <paramref name="accessKeyId"/> when the key is active and its account
    /// is too; false for unknown, inactive or deleted keys and for keys of disabled accounts.
    /// </summary>
    bool TryGetSecret(string accessKeyId, out string secret, out string accountId);

    /// <summary>As <see cref="TryGetSecret(string, out string, out string)"/>, for a key id read from a request; <paramref name="keyId"/> is it as a string.</summary>
    bool TryGetSecret(ReadOnlySpan<char> accessKeyId, out string keyId, out string secret, out string accountId)
    {
        keyId = accessKeyId.ToString();
        return TryGetSecret(keyId, out secret, out accountId);
    }
}
