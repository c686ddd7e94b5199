using System.Text;
using Microsoft.Data.Sqlite;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteLogStore : ILogStore
{
    private const string Schema = """
        CREATE INDEX IF NOT EXISTS logs_by_function_time ON logs (function_name, timestamp);
        CREATE INDEX IF NOT EXISTS logs_by_request ON logs (request_id);
        CREATE INDEX IF NOT EXISTS logs_by_time ON logs (timestamp);
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
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO logs (function_name, request_id, timestamp, text, log_stream) VALUES ($fn, $id, $ts, $text, $stream)";
        var fn = command.Parameters.Add("$fn", SqliteType.Text);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var ts = command.Parameters.Add("$ts", SqliteType.Integer);
        var text = command.Parameters.Add("$text", SqliteType.Text);
        var stream = command.Parameters.Add("$stream", SqliteType.Text);
        long bytes = 0;
        foreach (var record in records)
        {
            fn.Value = record.FunctionName;
            id.Value = record.RequestId;
            ts.Value = record.Timestamp.ToUnixTimeMilliseconds();
            text.Value = record.Text;
            stream.Value = record.LogStream;
            command.ExecuteNonQuery();
            bytes += Encoding.UTF8.GetByteCount(record.Text);
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
        var sql = new StringBuilder("SELECT ").Append(Columns).Append(" FROM logs WHERE function_name = $fn");
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
            sql.Append(" AND id < $before");
            command.Parameters.AddWithValue("$before", before);
        }

        // One more than asked tells whether an older page exists.
        sql.Append(" ORDER BY id DESC LIMIT $limit");
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

            var deleted = Delete(connection, "timestamp < $p", olderThan.ToUnixTimeMilliseconds());
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

    private int Delete(SqliteConnection connection, string condition, long parameter)
    {
        using var transaction = connection.BeginTransaction();
        using var size = connection.CreateCommand();
        size.CommandText = $"SELECT COALESCE(SUM(length(CAST(text AS BLOB))), 0) FROM logs WHERE {condition}";
        size.Parameters.AddWithValue("$p", parameter);
        var bytes = (long)size.ExecuteScalar()!;
        using var delete = connection.CreateCommand();
        delete.CommandText = $"DELETE FROM logs WHERE {condition}";
        delete.Parameters.AddWithValue("$p", parameter);
        var deleted = delete.ExecuteNonQuery();
        transaction.Commit();
        _storedBytes = Math.Max(0, _storedBytes - bytes);
        return deleted;
    }
}
