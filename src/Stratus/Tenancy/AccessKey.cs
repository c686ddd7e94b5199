namespace Stratus.Tenancy;

public enum AccessKeyStatus
{
    Active,
    Inactive,
}

/// <summary>An access key as every read shows it: never with its secret.</summary>
public sealed record AccessKey(string Id, string AccountId, AccessKeyStatus Status, DateTimeOffset Created, DateTimeOffset? LastUsed);

/// <summary>An access key as stored: the secret sealed under the master key (see <see cref="SecretCipher"/>).</summary>
public sealed record StoredAccessKey(AccessKey Key, byte[] SealedSecret);

/// <summary>
/// A key just made: the only place its secret leaves the server. ToString is overridden so that a
/// stray log or interpolation of the record cannot print the secret.
/// </summary>
public sealed record NewAccessKey(AccessKey Key, string Secret)
{
    public override string ToString() => $"NewAccessKey {{ Key = {Key}, Secret = *** }}";
}
