using Microsoft.Data.Sqlite;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteEventSourceMappingStore : IEventSourceMappingStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS event_source_mappings (
            uuid TEXT PRIMARY KEY,
            function_name TEXT NOT NULL,
            source_arn TEXT NOT NULL,
            batch_size INTEGER NOT NULL,
            batching_window INTEGER NOT NULL,
            report_failures INTEGER NOT NULL,
            max_concurrency INTEGER,
            enabled INTEGER NOT NULL,
            last_modified INTEGER NOT NULL
        );
        """;

    private readonly SqliteDatabase _database;

    public SqliteEventSourceMappingStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema(Schema);
    }

    public IReadOnlyList<EventSourceMapping> All()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT uuid, function_name, source_arn, batch_size, batching_window, report_failures, max_concurrency, enabled, last_modified FROM event_source_mappings ORDER BY uuid";
        using var reader = command.ExecuteReader();
        var mappings = new List<EventSourceMapping>();
        while (reader.Read())
        {
            mappings.Add(new EventSourceMapping(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt32(3),
                reader.GetInt32(4),
                reader.GetInt64(5) != 0,
                reader.IsDBNull(6) ? null : reader.GetInt32(6),
                reader.GetInt64(7) != 0,
                reader.GetInt64(8)));
        }

        return mappings;
    }

    public void Put(EventSourceMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO event_source_mappings VALUES ($uuid, $fn, $arn, $batch, $window, $report, $max, $enabled, $modified)";
        command.Parameters.AddWithValue("$uuid", mapping.Uuid);
        command.Parameters.AddWithValue("$fn", mapping.FunctionName);
        command.Parameters.AddWithValue("$arn", mapping.EventSourceArn);
        command.Parameters.AddWithValue("$batch", mapping.BatchSize);
        command.Parameters.AddWithValue("$window", mapping.MaximumBatchingWindowInSeconds);
        command.Parameters.AddWithValue("$report", mapping.ReportBatchItemFailures ? 1 : 0);
        command.Parameters.AddWithValue("$max", (object?)mapping.MaximumConcurrency ?? DBNull.Value);
        command.Parameters.AddWithValue("$enabled", mapping.Enabled ? 1 : 0);
        command.Parameters.AddWithValue("$modified", mapping.LastModified);
        command.ExecuteNonQuery();
    }

    public bool Delete(string uuid)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM event_source_mappings WHERE uuid = $uuid";
        command.Parameters.AddWithValue("$uuid", uuid);
        return command.ExecuteNonQuery() == 1;
    }
}
