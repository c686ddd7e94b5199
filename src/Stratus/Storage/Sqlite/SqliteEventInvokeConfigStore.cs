using Microsoft.Data.Sqlite;
using Stratus.Invocation;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteEventInvokeConfigStore : IEventInvokeConfigStore
{
    private readonly SqliteDatabase _database;

    public SqliteEventInvokeConfigStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS event_invoke_configs (
                function_name TEXT NOT NULL,
                qualifier TEXT NOT NULL,
                max_retry_attempts INTEGER,
                max_event_age INTEGER,
                on_success TEXT,
                on_failure TEXT,
                last_modified INTEGER NOT NULL,
                PRIMARY KEY (function_name, qualifier)
            );
            """);
    }

    public IReadOnlyList<EventInvokeConfig> LoadAll()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT function_name, qualifier, max_retry_attempts, max_event_age, on_success, on_failure, last_modified FROM event_invoke_configs";
        using var reader = command.ExecuteReader();
        var result = new List<EventInvokeConfig>();
        while (reader.Read())
        {
            result.Add(new EventInvokeConfig(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }

        return result;
    }

    public void Save(EventInvokeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR REPLACE INTO event_invoke_configs (function_name, qualifier, max_retry_attempts, max_event_age, on_success, on_failure, last_modified)
            VALUES ($fn, $q, $retries, $age, $success, $failure, $modified)
            """;
        command.Parameters.AddWithValue("$fn", config.FunctionName);
        command.Parameters.AddWithValue("$q", config.Qualifier);
        command.Parameters.AddWithValue("$retries", (object?)config.MaximumRetryAttempts ?? DBNull.Value);
        command.Parameters.AddWithValue("$age", (object?)config.MaximumEventAgeInSeconds ?? DBNull.Value);
        command.Parameters.AddWithValue("$success", (object?)config.OnSuccess ?? DBNull.Value);
        command.Parameters.AddWithValue("$failure", (object?)config.OnFailure ?? DBNull.Value);
        command.Parameters.AddWithValue("$modified", config.LastModified.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    public bool Delete(string functionName, string? qualifier)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = qualifier is null
            ? "DELETE FROM event_invoke_configs WHERE function_name = $fn"
            : "DELETE FROM event_invoke_configs WHERE function_name = $fn AND qualifier = $q";
        command.Parameters.AddWithValue("$fn", functionName);
        command.Parameters.AddWithValue("$q", (object?)qualifier ?? DBNull.Value);
        return command.ExecuteNonQuery() > 0;
    }
}
