using Microsoft.Data.Sqlite;
using Stratus.Storage.Sqlite;

namespace Stratus.Tenancy;

internal sealed class SqliteAccountStore : IAccountStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS accounts (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL,
            root INTEGER NOT NULL,
            created INTEGER NOT NULL,
            max_concurrency INTEGER,
            max_functions INTEGER,
            max_code_bytes INTEGER
        );
        CREATE TABLE IF NOT EXISTS access_keys (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id),
            status TEXT NOT NULL,
            created INTEGER NOT NULL,
            last_used INTEGER,
            secret BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS access_keys_by_account ON access_keys (account_id);
        CREATE TABLE IF NOT EXISTS tenancy_meta (
            name TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        """;

    private const string AccountColumns = "id, name, status, root, created, max_concurrency, max_functions, max_code_bytes";
    private const string KeyColumns = "id, account_id, status, created, last_used, secret";
    private readonly SqliteDatabase _database;

    public SqliteAccountStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema(Schema);
    }

    public IReadOnlyList<Account> ListAccounts() => QueryAccounts($"SELECT {AccountColumns} FROM accounts ORDER BY created, id", null);

    public Account? GetAccount(string id) => QueryAccounts($"SELECT {AccountColumns} FROM accounts WHERE id = $id", id).FirstOrDefault();

    public bool InsertAccount(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO accounts ({AccountColumns}) VALUES ($id, $name, $status, $root, $created, $c, $f, $b) ON CONFLICT DO NOTHING";
        command.Parameters.AddWithValue("$id", account.Id);
        command.Parameters.AddWithValue("$name", account.Name);
        command.Parameters.AddWithValue("$status", account.Status.ToString());
        command.Parameters.AddWithValue("$root", account.Root ? 1 : 0);
        command.Parameters.AddWithValue("$created", account.Created.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$c", (object?)account.Quotas.ConcurrencyLimit ?? DBNull.Value);
        command.Parameters.AddWithValue("$f", (object?)account.Quotas.MaxFunctions ?? DBNull.Value);
        command.Parameters.AddWithValue("$b", (object?)account.Quotas.MaxCodeSizeBytes ?? DBNull.Value);
        return command.ExecuteNonQuery() > 0;
    }

    public bool SetAccountStatus(string id, AccountStatus status) =>
        Execute("UPDATE accounts SET status = $status WHERE id = $id", ("$id", id), ("$status", status.ToString())) > 0;

    public IReadOnlyList<StoredAccessKey> ListKeys(string? accountId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = accountId is null
            ? $"SELECT {KeyColumns} FROM access_keys ORDER BY created, id"
            : $"SELECT {KeyColumns} FROM access_keys WHERE account_id = $account ORDER BY created, id";
        command.Parameters.AddWithValue("$account", (object?)accountId ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var keys = new List<StoredAccessKey>();
        while (reader.Read())
        {
            var key = new AccessKey(
                reader.GetString(0),
                reader.GetString(1),
                Enum.Parse<AccessKeyStatus>(reader.GetString(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
            keys.Add(new StoredAccessKey(key, (byte[])reader.GetValue(5)));
        }

        return keys;
    }

    public bool InsertKey(StoredAccessKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO access_keys ({KeyColumns}) VALUES ($id, $account, $status, $created, $used, $secret) ON CONFLICT DO NOTHING";
        command.Parameters.AddWithValue("$id", key.Key.Id);
        command.Parameters.AddWithValue("$account", key.Key.AccountId);
        command.Parameters.AddWithValue("$status", key.Key.Status.ToString());
        command.Parameters.AddWithValue("$created", key.Key.Created.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$used", (object?)key.Key.LastUsed?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        command.Parameters.Add("$secret", SqliteType.Blob).Value = key.SealedSecret;
        return command.ExecuteNonQuery() > 0;
    }

    public bool SetKeyStatus(string accountId, string keyId, AccessKeyStatus status) =>
        Execute("UPDATE access_keys SET status = $status WHERE id = $id AND account_id = $account", ("$id", keyId), ("$account", accountId), ("$status", status.ToString())) > 0;

    public bool DeleteKey(string accountId, string keyId) =>
        Execute("DELETE FROM access_keys WHERE id = $id AND account_id = $account", ("$id", keyId), ("$account", accountId)) > 0;

    public byte[]? ReadKeyCheck()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM tenancy_meta WHERE name = 'key_check'";
        return command.ExecuteScalar() as byte[];
    }

    public void WriteKeyCheck(byte[] sealedValue)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO tenancy_meta (name, value) VALUES ('key_check', $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
        command.Parameters.Add("$value", SqliteType.Blob).Value = sealedValue;
        command.ExecuteNonQuery();
    }

    private List<Account> QueryAccounts(string sql, string? id)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", (object?)id ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var accounts = new List<Account>();
        while (reader.Read())
        {
            accounts.Add(new Account(
                reader.GetString(0),
                reader.GetString(1),
                Enum.Parse<AccountStatus>(reader.GetString(2)),
                reader.GetInt64(3) != 0,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                new AccountQuotas(
                    reader.IsDBNull(5) ? null : reader.GetInt32(5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    reader.IsDBNull(7) ? null : reader.GetInt64(7))));
        }

        return accounts;
    }

    private int Execute(string sql, params (string Name, string Value)[] parameters)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }
}
