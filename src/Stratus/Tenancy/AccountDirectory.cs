using System.Collections.Frozen;
using Microsoft.Extensions.Logging;

namespace Stratus.Tenancy;

/// <summary>
/// Accounts and their access keys. Writes go to the store; the active keys of active accounts are
/// kept opened in memory (rebuilt after every change) so that a request's signature check is one
/// dictionary look-up.
/// </summary>
internal sealed partial class AccountDirectory : ISecretLookup, IDisposable
{
    /// <summary>As IAM: two keys per user, enough to rotate one without downtime.</summary>
    public const int MaxKeysPerAccount = 2;
    private const string KeyCheckValue = "stratus-master-key-check";
    private const string KeyCheckBinding = "key_check";

    private readonly IAccountStore _store;
    private readonly SecretCipher _cipher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _writes = new();
    private volatile FrozenDictionary<string, ActiveSecret> _secrets = FrozenDictionary<string, ActiveSecret>.Empty;
    private volatile FrozenDictionary<string, AccountQuotas> _quotas = FrozenDictionary<string, AccountQuotas>.Empty;

    private AccountDirectory(IAccountStore store, SecretCipher cipher, TimeProvider time, ILogger logger)
    {
        _store = store;
        _cipher = cipher;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Loads the master key and proves it opens what is stored; throws <see cref="TenancyStartupException"/>
    /// when it does not, before anything is served.
    /// </summary>
    public static AccountDirectory Open(IAccountStore store, string? configuredMasterKey, string dataDirectory, TimeProvider time, ILogger<AccountDirectory> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var check = store.ReadKeyCheck();
        var key = MasterKey.Load(configuredMasterKey, dataDirectory, secretsExist: check is not null || store.ListKeys(null).Count > 0);
        var cipher = new SecretCipher(key);
        if (check is null)
        {
            store.WriteKeyCheck(cipher.Seal(KeyCheckValue, KeyCheckBinding));
        }
        else if (!cipher.TryOpen(check, KeyCheckBinding, out _))
        {
            cipher.Dispose();
            throw new TenancyStartupException($"The master key is not the one the stored access key secrets were sealed with: set {MasterKey.EnvironmentVariable} to that key or restore {Path.Combine(dataDirectory, MasterKey.FileName)} from a backup.");
        }

        var directory = new AccountDirectory(store, cipher, time, logger);
        directory.Refresh();
        return directory;
    }

    /// <summary>Looks the key up without making a string of it: every signed request asks.</summary>
    public bool TryGetSecret(ReadOnlySpan<char> accessKeyId, out string keyId, out string secret, out string accountId)
    {
        if (_secrets.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(accessKeyId, out var found))
        {
            (keyId, secret, accountId) = (found.KeyId, found.Secret, found.AccountId);
            return true;
        }

        (keyId, secret, accountId) = ("", "", "");
        return false;
    }

    public bool TryGetSecret(string accessKeyId, out string secret, out string accountId) =>
        TryGetSecret(accessKeyId.AsSpan(), out _, out secret, out accountId);

    public IReadOnlyList<Account> ListAccounts() => _store.ListAccounts();

    public Account GetAccount(string id)
    {
        AccountValidator.AccountId(id);
        return _store.GetAccount(id) ?? throw AccountErrors.AccountNotFound(id);
    }

    public Account? RootAccount() => _store.ListAccounts().FirstOrDefault(a => a.Root);

    public Account CreateAccount(string name, AccountQuotas quotas, bool root = false, string? id = null)
    {
        AccountValidator.Name(name);
        AccountValidator.Quotas(quotas);
        lock (_writes)
        {
            if (_store.ListAccounts().Any(a => a.Name == name))
            {
                throw AccountErrors.Conflict($"An account named {name} already exists.");
            }

            // Ids are random: a clash with an existing one (one in ~10^11 per account) draws again.
            for (var attempt = 0; ; attempt++)
            {
                var account = new Account(id ?? Credentials.NewAccountId(), name, AccountStatus.Active, root, _time.GetUtcNow(), quotas);
                if (_store.InsertAccount(account))
                {
                    Refresh();
                    Log.AccountCreated(_logger, account.Id, account.Name, root);
                    return account;
                }

                if (id is not null || attempt == 10)
                {
                    throw AccountErrors.Conflict($"Account {account.Id} already exists.");
                }
            }
        }
    }

    public Account SetAccountStatus(string id, AccountStatus status)
    {
        lock (_writes)
        {
            var account = GetAccount(id);
            if (account.Root && status == AccountStatus.Disabled)
            {
                // The root account is the way back in: disabling it would leave no one able to enable anything.
                throw AccountErrors.Conflict($"Account {id} is the root account and cannot be disabled.");
            }

            if (account.Status != status)
            {
                _store.SetAccountStatus(id, status);
                Log.AccountStatusChanged(_logger, id, status);
                Refresh();
            }

            return account with { Status = status };
        }
    }

    /// <summary>Makes a key (or stores the one given, for the root key from the environment); the only time its secret is returned.</summary>
    public NewAccessKey CreateKey(string accountId, string? givenId = null, string? givenSecret = null)
    {
        lock (_writes)
        {
            GetAccount(accountId);
            if (_store.ListKeys(accountId).Count >= MaxKeysPerAccount)
            {
                throw AccountErrors.Conflict($"Account {accountId} already has {MaxKeysPerAccount} access keys, the most it may have: delete one first.");
            }

            for (var attempt = 0; ; attempt++)
            {
                var key = new AccessKey(givenId ?? Credentials.NewAccessKeyId(), accountId, AccessKeyStatus.Active, _time.GetUtcNow(), null);
                var secret = givenSecret ?? Credentials.NewSecret();
                if (_store.InsertKey(new StoredAccessKey(key, _cipher.Seal(secret, key.Id))))
                {
                    Log.KeyCreated(_logger, key.Id, accountId);
                    Refresh();
                    return new NewAccessKey(key, secret);
                }

                if (givenId is not null || attempt == 10)
                {
                    throw AccountErrors.Conflict($"Access key {key.Id} already exists.");
                }
            }
        }
    }

    public IReadOnlyList<AccessKey> ListKeys(string accountId)
    {
        GetAccount(accountId);
        return _store.ListKeys(accountId).Select(k => k.Key).ToList();
    }

    public AccessKey SetKeyStatus(string accountId, string keyId, AccessKeyStatus status)
    {
        AccountValidator.KeyId(keyId);
        lock (_writes)
        {
            var key = ListKeys(accountId).FirstOrDefault(k => k.Id == keyId) ?? throw AccountErrors.KeyNotFound(accountId, keyId);
            if (key.Status != status)
            {
                _store.SetKeyStatus(accountId, keyId, status);
                Log.KeyStatusChanged(_logger, keyId, accountId, status);
                Refresh();
            }

            return key with { Status = status };
        }
    }

    public void DeleteKey(string accountId, string keyId)
    {
        AccountValidator.KeyId(keyId);
        lock (_writes)
        {
            GetAccount(accountId);
            if (!_store.DeleteKey(accountId, keyId))
            {
                throw AccountErrors.KeyNotFound(accountId, keyId);
            }

            Log.KeyDeleted(_logger, keyId, accountId);
            Refresh();
        }
    }

    public void Dispose() => _cipher.Dispose();

    /// <summary>Rebuilds the in-memory secrets from the store: only active keys of active accounts.</summary>
    /// <summary>An account's quotas, from memory (the invoke path asks on every call).</summary>
    public AccountQuotas QuotasOf(string accountId) => _quotas.GetValueOrDefault(accountId) ?? AccountQuotas.None;

    private void Refresh()
    {
        var accounts = _store.ListAccounts();
        _quotas = accounts.ToFrozenDictionary(a => a.Id, a => a.Quotas, StringComparer.Ordinal);
        var active = accounts.Where(a => a.Status == AccountStatus.Active).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var secrets = new Dictionary<string, ActiveSecret>(StringComparer.Ordinal);
        foreach (var stored in _store.ListKeys(null))
        {
            if (!_cipher.TryOpen(stored.SealedSecret, stored.Key.Id, out var secret))
            {
                throw new TenancyStartupException($"The secret of access key {stored.Key.Id} cannot be opened with the master key: it was sealed with another key or altered.");
            }

            if (stored.Key.Status == AccessKeyStatus.Active && active.Contains(stored.Key.AccountId))
            {
                secrets[stored.Key.Id] = new ActiveSecret(stored.Key.Id, secret, stored.Key.AccountId);
            }
        }

        _secrets = secrets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record ActiveSecret(string KeyId, string Secret, string AccountId)
    {
        public override string ToString() => $"ActiveSecret {{ AccountId = {AccountId} }}";
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Account {AccountId} ({Name}) created; root: {Root}")]
        public static partial void AccountCreated(ILogger logger, string accountId, string name, bool root);

        [LoggerMessage(2, LogLevel.Information, "Account {AccountId} is now {Status}")]
        public static partial void AccountStatusChanged(ILogger logger, string accountId, AccountStatus status);

        [LoggerMessage(3, LogLevel.Information, "Access key {AccessKeyId} created in account {AccountId}")]
        public static partial void KeyCreated(ILogger logger, string accessKeyId, string accountId);

        [LoggerMessage(4, LogLevel.Information, "Access key {AccessKeyId} of account {AccountId} is now {Status}")]
        public static partial void KeyStatusChanged(ILogger logger, string accessKeyId, string accountId, AccessKeyStatus status);

        [LoggerMessage(5, LogLevel.Information, "Access key {AccessKeyId} of account {AccountId} deleted")]
        public static partial void KeyDeleted(ILogger logger, string accessKeyId, string accountId);
    }
}
