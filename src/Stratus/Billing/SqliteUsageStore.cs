using Microsoft.Data.Sqlite;
using SQLitePCL;
using Stratus.Storage.Sqlite;

namespace Stratus.Billing;

/// <summary>
/// The ledger in SQLite, in two forms written in one transaction per batch:
/// <list type="bullet">
/// <item>the records themselves, one compact block (a row) per batch (<see cref="UsageBlockCodec"/>):
/// the exact ledger, read back by request id and counted;</item>
/// <item>totals per account, function, runtime and minute (requests, billed milliseconds,
/// megabyte-milliseconds): what usage, invoices and spending caps sum. A batch of a thousand
/// invocations of one function is one row updated, not a thousand inserted, which is what keeps
/// metering cheap at tens of thousands of invocations a second.</item>
/// </list>
/// Exactly-once import comes from the journal marks, written in the same transaction.
/// </summary>
internal sealed class SqliteUsageStore : IUsageStore
{
    private const long MsPerMinute = 60_000;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS usage_blocks (
            id INTEGER PRIMARY KEY,
            records INTEGER NOT NULL,
            data BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS usage_minutes (
            account_id TEXT NOT NULL,
            minute INTEGER NOT NULL,
            function_name TEXT NOT NULL,
            runtime TEXT NOT NULL,
            requests INTEGER NOT NULL,
            billed_ms INTEGER NOT NULL,
            mb_ms INTEGER NOT NULL,
            PRIMARY KEY (account_id, minute, function_name, runtime)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS usage_journal_marks (
            file INTEGER PRIMARY KEY,
            slots INTEGER NOT NULL
        );
        """;

    private const string AddToMinute = """
        INSERT INTO usage_minutes (account_id, minute, function_name, runtime, requests, billed_ms, mb_ms)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        ON CONFLICT (account_id, minute, function_name, runtime) DO UPDATE SET
            requests = requests + excluded.requests,
            billed_ms = billed_ms + excluded.billed_ms,
            mb_ms = mb_ms + excluded.mb_ms
        """;

    private readonly SqliteDatabase _database;

    public SqliteUsageStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema(Schema);
        MigrateRecordRows();
    }

    public void Append(UsageBatch records, JournalMark mark)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        if (records.Count > 0)
        {
            StoreBlock(connection, records);
        }

        using var marking = connection.CreateCommand();
        marking.CommandText = "INSERT INTO usage_journal_marks (file, slots) VALUES ($file, $slots) ON CONFLICT (file) DO UPDATE SET slots = max(slots, excluded.slots)";
        marking.Parameters.AddWithValue("$file", mark.File);
        marking.Parameters.AddWithValue("$slots", mark.Slots);
        marking.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>Sums the batch per account, function, runtime and minute, then adds each sum to its row.</summary>
    private static void AddMinutes(SqliteConnection connection, UsageBatch records)
    {
        var groups = new Dictionary<MinuteGroup, int>(new MinuteGroupComparer(records));
        var sums = new List<(MinuteGroup Group, long Requests, long BilledMs, long MbMs)>();
        var last = -1;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var group = new MinuteGroup(i, MinuteOf(record.StartedAt.ToUnixTimeMilliseconds()));
            var mbMs = record.BilledMs * record.MemorySizeMb;
            // Records come in runs of one function and minute: most add to the sum the last one did.
            if ((last >= 0 && SameGroup(records, sums[last].Group, record, group.Minute)) || groups.TryGetValue(group, out last))
            {
                var sum = sums[last];
                sums[last] = (sum.Group, sum.Requests + 1, sum.BilledMs + record.BilledMs, sum.MbMs + mbMs);
            }
            else
            {
                last = sums.Count;
                groups.Add(group, last);
                sums.Add((group, 1, record.BilledMs, mbMs));
            }
        }

        using var statement = SqliteRaw.Prepare(connection, AddToMinute);
        foreach (var (group, requests, billedMs, mbMs) in sums)
        {
            var record = records[group.Record];
            raw.sqlite3_bind_text(statement, 1, record.AccountId);
            raw.sqlite3_bind_int64(statement, 2, group.Minute);
            raw.sqlite3_bind_text(statement, 3, record.FunctionName);
            raw.sqlite3_bind_text(statement, 4, record.Runtime);
            raw.sqlite3_bind_int64(statement, 5, requests);
            raw.sqlite3_bind_int64(statement, 6, billedMs);
            raw.sqlite3_bind_int64(statement, 7, mbMs);
            SqliteRaw.Step(connection, statement);
        }
    }

    private static bool SameGroup(UsageBatch records, MinuteGroup group, UsageFields record, long minute)
    {
        if (group.Minute != minute)
        {
            return false;
        }

        var named = records[group.Record];
        return named.AccountId.SequenceEqual(record.AccountId) && named.FunctionName.SequenceEqual(record.FunctionName) && named.Runtime.SequenceEqual(record.Runtime);
    }

    private static long MinuteOf(long unixMs) => (long)Math.Floor(unixMs / (double)MsPerMinute);

    /// <summary>
    /// The minutes a range covers: records are summed by the minute they started in, so a range that
    /// starts or ends inside a minute takes that whole minute.
    /// </summary>
    private static (long From, long To) Minutes(DateTimeOffset from, DateTimeOffset to) =>
        (MinuteOf(from.ToUnixTimeMilliseconds()), (long)Math.Ceiling(to.ToUnixTimeMilliseconds() / (double)MsPerMinute));

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
            ? "strftime('%Y-%m-%d', minute * 60, 'unixepoch')"
            : "function_name";
        var (from, to) = Minutes(query.From, query.To);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {key} AS k, SUM(requests), SUM(billed_ms), SUM(mb_ms)
            FROM usage_minutes
            WHERE account_id = $account AND minute >= $from AND minute < $to
              AND ($function IS NULL OR function_name = $function)
            GROUP BY k ORDER BY k
            """;
        command.Parameters.AddWithValue("$account", query.AccountId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
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
        var (fromMinute, toMinute) = Minutes(from, to);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT account_id, runtime, SUM(requests), SUM(mb_ms)
            FROM usage_minutes
            WHERE ($account IS NULL OR account_id = $account) AND minute >= $from AND minute < $to
            GROUP BY account_id, runtime ORDER BY account_id, runtime
            """;
        command.Parameters.AddWithValue("$account", (object?)accountId ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", fromMinute);
        command.Parameters.AddWithValue("$to", toMinute);
        using var reader = command.ExecuteReader();
        var usage = new List<AccountUsage>();
        while (reader.Read())
        {
            usage.Add(new AccountUsage(reader.GetString(0), new RuntimeUsage(reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3))));
        }

        return usage;
    }

    /// <summary>Reads every block: a lookup for audits and tests, not for the hot path.</summary>
    public IReadOnlyList<UsageRecord> ForRequest(string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        var wanted = System.Text.Encoding.UTF8.GetBytes(requestId);
        var records = new List<UsageRecord>();
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM usage_blocks ORDER BY id";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var block = (byte[])reader.GetValue(0);
            if (block.AsSpan().IndexOf(UsageBlockCodec.Needle(block, wanted)) < 0)
            {
                continue;
            }

            var blockReader = new UsageBlockCodec.Reader(block);
            while (blockReader.TryNext(out var encoded))
            {
                if (UsageRecordCodec.TryRead(encoded, out var fields) && fields.RequestId.SequenceEqual(wanted))
                {
                    records.Add(UsageRecordCodec.Decode(encoded)!);
                }
            }
        }

        // Stable: attempts in order, and records of one attempt in the order they were stored.
        return records.OrderBy(r => r.Attempt).ToList();
    }

    public long Count() => Scalar("SELECT coalesce(sum(records), 0) FROM usage_blocks", 0);

    /// <summary>
    /// A database from before the totals per minute kept a row per record (usage_records): its rows
    /// become blocks and minute totals, in one transaction, and the old table goes.
    /// </summary>
    private void MigrateRecordRows()
    {
        using var connection = _database.Open();
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'usage_records'";
        if ((long)exists.ExecuteScalar()! == 0)
        {
            return;
        }

        using var transaction = connection.BeginTransaction();
        using (var read = connection.CreateCommand())
        {
            read.CommandText = """
                SELECT account_id, function_name, version, request_id, attempt, trigger, started_at, duration_ms, billed_ms,
                       init_duration_ms, memory_mb, max_memory_mb, cpu_us, outcome, runtime
                FROM usage_records ORDER BY id
                """;
            using var reader = read.ExecuteReader();
            const int PerBlock = 1024;
            var batch = new UsageBatch(PerBlock);
            while (reader.Read())
            {
                var record = new UsageRecord(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetString(5),
                    new Execution.InvocationMetrics(
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), reader.GetDouble(7), reader.GetInt64(8), reader.GetDouble(9),
                        reader.GetInt32(10), reader.GetInt64(11), reader.GetInt64(12), reader.GetString(13)))
                {
                    Runtime = reader.GetString(14),
                };
                if (!batch.Add(record))
                {
                    throw new InvalidOperationException($"The usage record of {record.RequestId} cannot be moved to a block.");
                }

                if (batch.Count == PerBlock)
                {
                    StoreBlock(connection, batch);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                StoreBlock(connection, batch);
            }
        }

        using (var drop = connection.CreateCommand())
        {
            drop.CommandText = "DROP TABLE usage_records";
            drop.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Adds a batch's records to their minutes' totals and stores them as one block.</summary>
    private static void StoreBlock(SqliteConnection connection, UsageBatch batch)
    {
        AddMinutes(connection, batch);
        using var block = SqliteRaw.Prepare(connection, "INSERT INTO usage_blocks (records, data) VALUES (?1, ?2)");
        raw.sqlite3_bind_int64(block, 1, batch.Count);
        raw.sqlite3_bind_blob(block, 2, UsageBlockCodec.Encode(batch));
        SqliteRaw.Step(connection, block);
    }

    /// <summary>One sum of a batch: the record that names its account, function and runtime, and its minute.</summary>
    private readonly record struct MinuteGroup(int Record, long Minute);

    /// <summary>Compares groups by the names of their records as UTF-8, so that no string is made per record.</summary>
    private sealed class MinuteGroupComparer(UsageBatch batch) : IEqualityComparer<MinuteGroup>
    {
        public bool Equals(MinuteGroup x, MinuteGroup y) => SameGroup(batch, x, batch[y.Record], y.Minute);

        public int GetHashCode(MinuteGroup group)
        {
            var record = batch[group.Record];
            var hash = new HashCode();
            hash.Add(group.Minute);
            hash.AddBytes(record.AccountId);
            hash.AddBytes(record.FunctionName);
            hash.AddBytes(record.Runtime);
            return hash.ToHashCode();
        }
    }
}
