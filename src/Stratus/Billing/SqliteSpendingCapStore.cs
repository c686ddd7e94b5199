using System.Globalization;
using Stratus.Storage.Sqlite;

namespace Stratus.Billing;

internal sealed class SqliteSpendingCapStore : ISpendingCapStore
{
    // Amounts as invariant decimal text: SQLite's REAL would not keep them to the cent.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS spending_caps (
            account_id TEXT PRIMARY KEY,
            amount TEXT NOT NULL,
            thresholds TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS spending_warnings (
            account_id TEXT NOT NULL,
            period TEXT NOT NULL,
            threshold INTEGER NOT NULL,
            spend TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (account_id, period, threshold)
        );
        """;

    private readonly SqliteDatabase _database;

    public SqliteSpendingCapStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema(Schema);
    }

    public IReadOnlyList<SpendingCap> List()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT account_id, amount, thresholds FROM spending_caps ORDER BY account_id";
        using var reader = command.ExecuteReader();
        var caps = new List<SpendingCap>();
        while (reader.Read())
        {
            var thresholds = reader.GetString(2).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToList();
            caps.Add(new SpendingCap(reader.GetString(0), decimal.Parse(reader.GetString(1), CultureInfo.InvariantCulture), thresholds));
        }

        return caps;
    }

    public void Put(SpendingCap cap)
    {
        ArgumentNullException.ThrowIfNull(cap);
        Execute(
            "INSERT INTO spending_caps (account_id, amount, thresholds) VALUES ($a, $m, $t) ON CONFLICT (account_id) DO UPDATE SET amount = excluded.amount, thresholds = excluded.thresholds",
            ("$a", cap.AccountId),
            ("$m", cap.Amount.ToString(CultureInfo.InvariantCulture)),
            ("$t", string.Join(',', cap.Thresholds.Select(t => t.ToString(CultureInfo.InvariantCulture)))));
    }

    public bool Delete(string accountId) => Execute("DELETE FROM spending_caps WHERE account_id = $a", ("$a", accountId)) > 0;

    public bool AddWarning(SpendingWarning warning)
    {
        ArgumentNullException.ThrowIfNull(warning);
        return Execute(
            "INSERT OR IGNORE INTO spending_warnings (account_id, period, threshold, spend, at) VALUES ($a, $p, $t, $s, $at)",
            ("$a", warning.AccountId),
            ("$p", warning.Period),
            ("$t", warning.Threshold),
            ("$s", warning.Spend.ToString(CultureInfo.InvariantCulture)),
            ("$at", warning.At.ToUnixTimeMilliseconds())) > 0;
    }

    public IReadOnlyList<SpendingWarning> Warnings(string accountId, string period)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT threshold, spend, at FROM spending_warnings WHERE account_id = $a AND period = $p ORDER BY threshold";
        command.Parameters.AddWithValue("$a", accountId);
        command.Parameters.AddWithValue("$p", period);
        using var reader = command.ExecuteReader();
        var warnings = new List<SpendingWarning>();
        while (reader.Read())
        {
            warnings.Add(new SpendingWarning(accountId, period, reader.GetInt32(0), decimal.Parse(reader.GetString(1), CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        }

        return warnings;
    }

    private int Execute(string sql, params (string Name, object Value)[] parameters)
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
