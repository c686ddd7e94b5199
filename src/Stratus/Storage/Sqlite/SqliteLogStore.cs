using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteLogStore : ILogStore
{
    // Every invocation adds a row, so each index is paid on the hot path of the writer: one on
    // (function, time), which SQLite ends with the id, serves a function's tail, its time ranges and
    // pruning by age; one on request ids serves lookups. In databases made since, ids are plain rowids
    // (older ones keep AUTOINCREMENT): they only grow while the newest row is kept, which pruning
    // (oldest first) never removes but for an emptied table.
    private const string Schema = """
        CREATE INDEX IF NOT EXISTS logs_by_function_time ON logs (function_name, timestamp);
        CREATE INDEX IF NOT EXISTS logs_by_request ON logs (request_id);
        DROP INDEX IF EXISTS logs_by_time;
        DROP INDEX IF EXISTS logs_by_function;
        """;

    private const string Columns = "id, function_name, request_id, timestamp, text, log_stream";

    // Deleting for size goes oldest first in chunks, so one statement never holds the writer for long.
    private const int PruneChunk = 500;

    private readonly SqliteDatabase _database;
    private readonly Lock _writeLock = new();
    private SqliteConnection? _writer;

    // Bytes of text stored, counted once on the first prune and kept up to date by appends and deletes,
    // so retention by size never scans the table again.
    private long _storedBytes = -1;

    public SqliteLogStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        using (var connection = database.Open())
        {
            SqliteDatabase.AddColumn(connection, "logs", "log_stream", "TEXT NOT NULL DEFAULT ''");
        }

        database.EnsureSchema(Schema);
    }

    public void Append(IReadOnlyList<LogRecord> records)
    {
        // One writer appends in batches; it keeps its connection open rather than reopening per batch.
        lock (_writeLock)
        {
            var bytes = AppendLocked(_writer ??= _database.Open(), records);
            if (_storedBytes >= 0)
            {
                _storedBytes += bytes;
            }
        }
    }

    private static long AppendLocked(SqliteConnection connection, IReadOnlyList<LogRecord> records)
    {
        using var transaction = connection.BeginTransaction();
        long bytes = 0;
        using (var statement = SqliteRaw.Prepare(connection, "INSERT INTO logs (function_name, request_id, timestamp, text, log_stream) VALUES (?1, ?2, ?3, ?4, ?5)"))
        {
            foreach (var record in records)
            {
                SqliteRaw.BindText(statement, 1, record.FunctionName);
                SqliteRaw.BindText(statement, 2, record.RequestId);
                raw.sqlite3_bind_int64(statement, 3, record.Timestamp.ToUnixTimeMilliseconds());
                SqliteRaw.BindText(statement, 4, record.Text);
                SqliteRaw.BindText(statement, 5, record.LogStream);
                SqliteRaw.Step(connection, statement);
                bytes += Encoding.UTF8.GetByteCount(record.Text);
            }
        }

        transaction.Commit();
        return bytes;
    }

    public IReadOnlyList<LogRecord> Tail(string functionName, int limit) => Query(new LogQuery(functionName, limit)).Records;

    public LogPage Query(LogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        // A request's records are found by its id: left to itself, SQLite would rather walk the
        // function's whole tail in order than sort the few rows of one request.
        var sql = new StringBuilder("SELECT ").Append(Columns)
            .Append(query.RequestId is null ? " FROM logs" : " FROM logs INDEXED BY logs_by_request")
            .Append(" WHERE function_name = $fn");
        command.Parameters.AddWithValue("$fn", query.FunctionName);
        if (query.Start is { } start)
        {
            sql.Append(" AND timestamp >= $start");
            command.Parameters.AddWithValue("$start", start.ToUnixTimeMilliseconds());
        }

        if (query.End is { } end)
        {
            sql.Append(" AND timestamp < $end");
            command.Parameters.AddWithValue("$end", end.ToUnixTimeMilliseconds());
        }

        if (query.RequestId is { } requestId)
        {
            sql.Append(" AND request_id = $request");
            command.Parameters.AddWithValue("$request", requestId);
        }

        if (query.Filter is { Length: > 0 } filter)
        {
            sql.Append(" AND instr(text, $filter) > 0");
            command.Parameters.AddWithValue("$filter", filter);
        }

        if (query.Before is { } before)
        {
            // Pages go back in (time, id) order from the last record shown (by id alone once it is pruned).
            command.Parameters.AddWithValue("$before", before);
            if (TimestampOf(connection, before) is { } beforeTime)
            {
                sql.Append(" AND timestamp <= $beforeTime AND (timestamp < $beforeTime OR id < $before)");
                command.Parameters.AddWithValue("$beforeTime", beforeTime);
            }
            else
            {
                sql.Append(" AND id < $before");
            }
        }

        // Newest first along the (function, time) index; one more than asked tells whether an older page exists.
        sql.Append(" ORDER BY timestamp DESC, id DESC LIMIT $limit");
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        command.CommandText = sql.ToString();
        using var reader = command.ExecuteReader();
        var records = new List<LogRecord>(Math.Min(query.Limit + 1, 64));
        while (reader.Read())
        {
            records.Add(new LogRecord(
                reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4), reader.GetString(5))
            {
                Id = reader.GetInt64(0),
            });
        }

        long? older = null;
        if (records.Count > query.Limit)
        {
            records.RemoveAt(records.Count - 1);
            older = records[^1].Id;
        }

        records.Reverse();
        return new LogPage(records, older);
    }

    private static long? TimestampOf(SqliteConnection connection, long id)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT timestamp FROM logs WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() as long?;
    }

    public int Prune(DateTimeOffset olderThan, long maxBytes)
    {
        lock (_writeLock)
        {
            var connection = _writer ??= _database.Open();
            if (_storedBytes < 0)
            {
                using var total = connection.CreateCommand();
                total.CommandText = "SELECT COALESCE(SUM(length(CAST(text AS BLOB))), 0) FROM logs";
                _storedBytes = (long)total.ExecuteScalar()!;
            }

            // By age, function by function through (function_name, timestamp): an index on time alone
            // would cost every append one more insert, for a delete that runs once in minutes.
            var deleted = 0;
            foreach (var function in FunctionNames(connection))
            {
                deleted += Delete(connection, "function_name = $f AND timestamp < $p", olderThan.ToUnixTimeMilliseconds(), function);
            }

            while (_storedBytes > maxBytes)
            {
                var removed = Delete(connection, "id <= $p", LastToDrop(connection, _storedBytes - maxBytes));
                deleted += removed;
                if (removed == 0)
                {
                    _storedBytes = 0;
                }
            }

            return deleted;
        }
    }

    /// <summary>The id of the newest record to delete so that at least <paramref name="excess"/> bytes go, oldest first, within one chunk.</summary>
    private static long LastToDrop(SqliteConnection connection, long excess)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, length(CAST(text AS BLOB)) FROM logs ORDER BY id LIMIT {PruneChunk}";
        using var reader = command.ExecuteReader();
        long last = 0, bytes = 0;
        while (bytes < excess && reader.Read())
        {
            last = reader.GetInt64(0);
            bytes += reader.GetInt64(1);
        }

        return last;
    }

    /// <summary>The functions that have records, one index seek each (SQLite does not skip through an index by itself).</summary>
    private static List<string> FunctionNames(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            WITH RECURSIVE f(name) AS (
                SELECT min(function_name) FROM logs
                UNION ALL
                SELECT (SELECT min(function_name) FROM logs WHERE function_name > f.name) FROM f WHERE f.name IS NOT NULL)
            SELECT name FROM f WHERE name IS NOT NULL
            """;
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private int Delete(SqliteConnection connection, string condition, long parameter, string? function = null)
    {
        using var transaction = connection.BeginTransaction();
        using var size = connection.CreateCommand();
        size.CommandText = $"SELECT COALESCE(SUM(length(CAST(text AS BLOB))), 0) FROM logs WHERE {condition}";
        size.Parameters.AddWithValue("$p", parameter);
        using var delete = connection.CreateCommand();
        delete.CommandText = $"DELETE FROM logs WHERE {condition}";
        delete.Parameters.AddWithValue("$p", parameter);
        if (function is not null)
        {
            size.Parameters.AddWithValue("$f", function);
            delete.Parameters.AddWithValue("$f", function);
        }

        var bytes = (long)size.ExecuteScalar()!;
        var deleted = delete.ExecuteNonQuery();
        transaction.Commit();
        _storedBytes = Math.Max(0, _storedBytes - bytes);
        return deleted;
    }
}
