using Microsoft.Data.Sqlite;
using SQLitePCL;
using Stratus.Storage.Sqlite;

namespace Stratus.Billing;

internal sealed class SqliteUsageStore : IUsageStore
{
    // Appended in journal order, so the rowid and the (account, time) index grow at their ends: a
    // random key (the request id) would cost several times as much per record. Exactly-once import
    // comes from the journal marks, written in the same transaction as the records they cover.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS usage_records (
            id INTEGER PRIMARY KEY,
            request_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            account_id TEXT NOT NULL,
            function_name TEXT NOT NULL,
            version TEXT NOT NULL,
            trigger TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            duration_ms REAL NOT NULL,
            billed_ms INTEGER NOT NULL,
            init_duration_ms REAL NOT NULL,
            memory_mb INTEGER NOT NULL,
            max_memory_mb INTEGER NOT NULL,
            cpu_us INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            runtime TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS usage_by_account_time ON usage_records (account_id, started_at);
        CREATE TABLE IF NOT EXISTS usage_journal_marks (
            file INTEGER PRIMARY KEY,
            slots INTEGER NOT NULL
        );
        """;

    private const string Columns = "account_id, function_name, version, request_id, attempt, trigger, started_at, duration_ms, billed_ms, init_duration_ms, memory_mb, max_memory_mb, cpu_us, outcome, runtime";

    private readonly SqliteDatabase _database;

    public SqliteUsageStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema(Schema);
    }

    public void Append(UsageBatch records, JournalMark mark)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        // Thousands of rows a second arrive here: one prepared statement for the batch, each value
        // bound through SQLite's own interface, texts as the journal's UTF-8.
        using (var statement = SqliteRaw.Prepare(connection, $"INSERT INTO usage_records ({Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"))
        {
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                raw.sqlite3_bind_text(statement, 1, record.AccountId);
                raw.sqlite3_bind_text(statement, 2, record.FunctionName);
                raw.sqlite3_bind_text(statement, 3, record.Version);
                raw.sqlite3_bind_text(statement, 4, record.RequestId);
                raw.sqlite3_bind_int64(statement, 5, record.Attempt);
                raw.sqlite3_bind_text(statement, 6, record.Trigger);
                raw.sqlite3_bind_int64(statement, 7, record.StartedAt.ToUnixTimeMilliseconds());
                raw.sqlite3_bind_double(statement, 8, record.DurationMs);
                raw.sqlite3_bind_int64(statement, 9, record.BilledMs);
                raw.sqlite3_bind_double(statement, 10, record.InitDurationMs);
                raw.sqlite3_bind_int64(statement, 11, record.MemorySizeMb);
                raw.sqlite3_bind_int64(statement, 12, record.MaxMemoryUsedMb);
                raw.sqlite3_bind_int64(statement, 13, record.CpuMicros);
                raw.sqlite3_bind_text(statement, 14, record.Outcome);
                raw.sqlite3_bind_text(statement, 15, record.Runtime);
                SqliteRaw.Step(connection, statement);
            }
        }

        using var marking = connection.CreateCommand();
        marking.CommandText = "INSERT INTO usage_journal_marks (file, slots) VALUES ($file, $slots) ON CONFLICT (file) DO UPDATE SET slots = max(slots, excluded.slots)";
        marking.Parameters.AddWithValue("$file", mark.File);
        marking.Parameters.AddWithValue("$slots", mark.Slots);
        marking.ExecuteNonQuery();
        transaction.Commit();
    }

    public int ImportedSlots(long file) => (int)Scalar("SELECT coalesce(max(slots), 0) FROM usage_journal_marks WHERE file = $file", file);

    public long LastJournalFile() => Scalar("SELECT coalesce(max(file), 0) FROM usage_journal_marks", 0);

    private long Scalar(string sql, long file)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$file", file);
        return (long)command.ExecuteScalar()!;
    }

    public IReadOnlyList<UsageTotal> Totals(UsageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var key = query.GroupBy == UsageGrouping.Day
            ? "strftime('%Y-%m-%d', started_at / 1000, 'unixepoch')"
            : "function_name";
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {key} AS k, COUNT(*), SUM(billed_ms), SUM(billed_ms * memory_mb)
            FROM usage_records
            WHERE account_id = $account AND started_at >= $from AND started_at < $to
              AND ($function IS NULL OR function_name = $function)
            GROUP BY k ORDER BY k
            """;
        command.Parameters.AddWithValue("$account", query.AccountId);
        command.Parameters.AddWithValue("$from", query.From.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", query.To.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$function", (object?)query.FunctionName ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var totals = new List<UsageTotal>();
        while (reader.Read())
        {
            totals.Add(new UsageTotal(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return totals;
    }

    public IReadOnlyList<AccountUsage> UsageByRuntime(string? accountId, DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT account_id, runtime, COUNT(*), SUM(billed_ms * memory_mb)
            FROM usage_records
            WHERE ($account IS NULL OR account_id = $account) AND started_at >= $from AND started_at < $to
            GROUP BY account_id, runtime ORDER BY account_id, runtime
            """;
        command.Parameters.AddWithValue("$account", (object?)accountId ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        using var reader = command.ExecuteReader();
        var usage = new List<AccountUsage>();
        while (reader.Read())
        {
            usage.Add(new AccountUsage(reader.GetString(0), new RuntimeUsage(reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3))));
        }

        return usage;
    }

    public IReadOnlyList<UsageRecord> ForRequest(string requestId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM usage_records WHERE request_id = $r ORDER BY attempt, id";
        command.Parameters.AddWithValue("$r", requestId);
        using var reader = command.ExecuteReader();
        var records = new List<UsageRecord>();
        while (reader.Read())
        {
            records.Add(new UsageRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt32(4),
                reader.GetString(5),
                new Execution.InvocationMetrics(
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                    reader.GetDouble(7),
                    reader.GetInt64(8),
                    reader.GetDouble(9),
                    reader.GetInt32(10),
                    reader.GetInt64(11),
                    reader.GetInt64(12),
                    reader.GetString(13)))
            {
                Runtime = reader.GetString(14),
            });
        }

        return records;
    }

    public long Count() => Scalar("SELECT COUNT(*) FROM usage_records", 0);
}
