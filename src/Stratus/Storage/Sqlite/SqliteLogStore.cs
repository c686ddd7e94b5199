namespace Stratus.Storage.Sqlite;

internal sealed class SqliteLogStore : ILogStore
{
    private readonly SqliteDatabase _database;
    private readonly Lock _writeLock = new();
    private Microsoft.Data.Sqlite.SqliteConnection? _writer;

    public SqliteLogStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    public void Append(IReadOnlyList<LogRecord> records)
    {
        // One writer appends in batches; it keeps its connection open rather than reopening per batch.
        lock (_writeLock)
        {
            AppendLocked(_writer ??= _database.Open(), records);
        }
    }

    private static void AppendLocked(Microsoft.Data.Sqlite.SqliteConnection connection, IReadOnlyList<LogRecord> records)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO logs (function_name, request_id, timestamp, text) VALUES ($fn, $id, $ts, $text)";
        var fn = command.Parameters.Add("$fn", Microsoft.Data.Sqlite.SqliteType.Text);
        var id = command.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Text);
        var ts = command.Parameters.Add("$ts", Microsoft.Data.Sqlite.SqliteType.Integer);
        var text = command.Parameters.Add("$text", Microsoft.Data.Sqlite.SqliteType.Text);
        foreach (var record in records)
        {
            fn.Value = record.FunctionName;
            id.Value = record.RequestId;
            ts.Value = record.Timestamp.ToUnixTimeMilliseconds();
            text.Value = record.Text;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public IReadOnlyList<LogRecord> Tail(string functionName, int limit)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT function_name, request_id, timestamp, text FROM (SELECT * FROM logs WHERE function_name = $fn ORDER BY id DESC LIMIT $limit) ORDER BY id";
        command.Parameters.AddWithValue("$fn", functionName);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var result = new List<LogRecord>();
        while (reader.Read())
        {
            result.Add(new LogRecord(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
        }

        return result;
    }
}
