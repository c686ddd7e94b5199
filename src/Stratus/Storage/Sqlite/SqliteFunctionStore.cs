using System.Text.Json;
using Microsoft.Data.Sqlite;
using Stratus.Api;
using Stratus.Functions;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteFunctionStore : IFunctionStore
{
    private const string Columns = "name, runtime, role, handler, description, memory_size, timeout, environment, code_sha256, code_size, revision_id, last_modified, ephemeral_storage, network_access, dead_letter_target";
    private readonly SqliteDatabase _database;

    public SqliteFunctionStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    public IReadOnlyList<FunctionDefinition> LoadAll()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM functions ORDER BY name";
        using var reader = command.ExecuteReader();
        var result = new List<FunctionDefinition>();
        while (reader.Read())
        {
            result.Add(new FunctionDefinition
            {
                Name = reader.GetString(0),
                Runtime = reader.GetString(1),
                Role = reader.GetString(2),
                Handler = reader.GetString(3),
                Description = reader.GetString(4),
                MemorySize = reader.GetInt32(5),
                Timeout = reader.GetInt32(6),
                Environment = JsonSerializer.Deserialize(reader.GetString(7), ApiJson.Default.DictionaryStringString) ?? [],
                CodeSha256 = reader.GetString(8),
                CodeSize = reader.GetInt64(9),
                RevisionId = reader.GetString(10),
                EphemeralStorageMb = reader.GetInt32(12),
                NetworkAccess = reader.GetInt32(13) != 0,
                DeadLetterTargetArn = reader.IsDBNull(14) ? null : reader.GetString(14),
                LastModified = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
            });
        }

        return result;
    }

    public bool TryInsert(FunctionDefinition function)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT OR IGNORE INTO functions ({Columns}) VALUES ($name, $runtime, $role, $handler, $description, $memory, $timeout, $environment, $sha, $size, $revision, $modified, $ephemeral, $network, $dlq)";
        Bind(command, function);
        return command.ExecuteNonQuery() == 1;
    }

    public bool TryUpdate(FunctionDefinition function, string expectedRevisionId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE functions SET runtime = $runtime, role = $role, handler = $handler, description = $description,
                memory_size = $memory, timeout = $timeout, environment = $environment, code_sha256 = $sha,
                code_size = $size, revision_id = $revision, last_modified = $modified, ephemeral_storage = $ephemeral,
                network_access = $network, dead_letter_target = $dlq
            WHERE name = $name AND revision_id = $expected
            """;
        Bind(command, function);
        command.Parameters.AddWithValue("$expected", expectedRevisionId);
        return command.ExecuteNonQuery() == 1;
    }

    public bool Delete(string name)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM function_concurrency WHERE name = $name; DELETE FROM function_provisioned WHERE name = $name OR substr(name, 1, length($name) + 1) = $name || ':'; DELETE FROM functions WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteNonQuery() >= 1;
    }

    public IReadOnlyDictionary<string, int> LoadReservedConcurrency() => LoadCounts("function_concurrency", "reserved");

    public IReadOnlyDictionary<string, int> LoadProvisionedConcurrency() => LoadCounts("function_provisioned", "provisioned");

    public void SetReservedConcurrency(string name, int? reserved) => SetCount("function_concurrency", "reserved", name, reserved);

    public void SetProvisionedConcurrency(string name, int? provisioned) => SetCount("function_provisioned", "provisioned", name, provisioned);

    /// <summary>Reads a per-function number table (name, value); table and column are ours, never input.</summary>
    private Dictionary<string, int> LoadCounts(string table, string column)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name, {column} FROM {table}";
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.GetInt32(1);
        }

        return result;
    }

    private void SetCount(string table, string column, string name, int? value)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = value is null
            ? $"DELETE FROM {table} WHERE name = $name"
            : $"INSERT INTO {table} (name, {column}) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET {column} = excluded.{column}";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$value", (object?)value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand command, FunctionDefinition function)
    {
        command.Parameters.AddWithValue("$name", function.Name);
        command.Parameters.AddWithValue("$runtime", function.Runtime);
        command.Parameters.AddWithValue("$role", function.Role);
        command.Parameters.AddWithValue("$handler", function.Handler);
        command.Parameters.AddWithValue("$description", function.Description);
        command.Parameters.AddWithValue("$memory", function.MemorySize);
        command.Parameters.AddWithValue("$timeout", function.Timeout);
        command.Parameters.AddWithValue("$environment", JsonSerializer.Serialize(function.Environment.ToDictionary(), ApiJson.Default.DictionaryStringString));
        command.Parameters.AddWithValue("$sha", function.CodeSha256);
        command.Parameters.AddWithValue("$size", function.CodeSize);
        command.Parameters.AddWithValue("$revision", function.RevisionId);
        command.Parameters.AddWithValue("$modified", function.LastModified.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$ephemeral", function.EphemeralStorageMb);
        command.Parameters.AddWithValue("$network", function.NetworkAccess ? 1 : 0);
        command.Parameters.AddWithValue("$dlq", (object?)function.DeadLetterTargetArn ?? DBNull.Value);
    }
}
