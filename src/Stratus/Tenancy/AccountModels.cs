using System.Globalization;
using System.Text.Json.Serialization;

namespace Stratus.Tenancy;

public sealed class CreateAccountRequest
{
    public string? Name { get; set; }

    public QuotasModel? Quotas { get; set; }
}

public sealed class QuotasModel
{
    public int? ConcurrencyLimit { get; set; }

    public int? MaxFunctions { get; set; }

    public long? MaxCodeSizeBytes { get; set; }
}

public sealed record AccountOutput(string AccountId, string Name, string Status, bool Root, string CreatedDate, QuotasModel Quotas);

public sealed record ListAccountsResponse(IReadOnlyList<AccountOutput> Accounts);

/// <summary>A key as reads show it; <see cref="SecretAccessKey"/> is set only in the answer to its creation.</summary>
public sealed record AccessKeyOutput(string AccessKeyId, string AccountId, string Status, string CreateDate, string? LastUsedDate, string? SecretAccessKey);

public sealed record ListAccessKeysResponse(IReadOnlyList<AccessKeyOutput> AccessKeys);

internal static class AccountMapping
{
    public static AccountOutput Output(Account account) => new(
        account.Id,
        account.Name,
        account.Status == AccountStatus.Active ? "ACTIVE" : "DISABLED",
        account.Root,
        Utc(account.Created),
        new QuotasModel { ConcurrencyLimit = account.Quotas.ConcurrencyLimit, MaxFunctions = account.Quotas.MaxFunctions, MaxCodeSizeBytes = account.Quotas.MaxCodeSizeBytes });

    // Status words as IAM's ListAccessKeys shows them.
    public static AccessKeyOutput Output(AccessKey key, string? secret = null) => new(
        key.Id,
        key.AccountId,
        key.Status == AccessKeyStatus.Active ? "Active" : "Inactive",
        Utc(key.Created),
        key.LastUsed is { } used ? Utc(used) : null,
        secret);

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(AccountOutput))]
[JsonSerializable(typeof(ListAccountsResponse))]
[JsonSerializable(typeof(AccessKeyOutput))]
[JsonSerializable(typeof(ListAccessKeysResponse))]
internal sealed partial class AccountJson : JsonSerializerContext;
