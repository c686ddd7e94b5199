namespace Stratus.Tenancy;

/// <summary>What the SigV4 verifier asks: the secret of an access key that may sign requests.</summary>
public interface ISecretLookup
{
    /// <summary>
    /// The secret and account of <paramref name="accessKeyId"/> when the key is active and its account
    /// is too; false for unknown, inactive or deleted keys and for keys of disabled accounts.
    /// </summary>
    bool TryGetSecret(string accessKeyId, out string secret, out string accountId);
}
