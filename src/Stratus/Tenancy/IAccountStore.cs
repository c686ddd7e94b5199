namespace Stratus.Tenancy;

/// <summary>Where accounts and access keys live. Secrets arrive here already sealed.</summary>
public interface IAccountStore
{
    IReadOnlyList<Account> ListAccounts();

    Account? GetAccount(string id);

    /// <summary>Adds an account; false when its id or name is taken.</summary>
    bool InsertAccount(Account account);

    bool SetAccountStatus(string id, AccountStatus status);

    /// <summary>Keys of one account, or of all accounts when <paramref name="accountId"/> is null.</summary>
    IReadOnlyList<StoredAccessKey> ListKeys(string? accountId);

    /// <summary>Adds a key; false when its id is taken.</summary>
    bool InsertKey(StoredAccessKey key);

    bool SetKeyStatus(string accountId, string keyId, AccessKeyStatus status);

    bool DeleteKey(string accountId, string keyId);

    /// <summary>A value sealed under the master key, to tell at start-up whether the key is the right one.</summary>
    byte[]? ReadKeyCheck();

    void WriteKeyCheck(byte[] sealedValue);
}
