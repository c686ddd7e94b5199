using System.Text.Json;
using Microsoft.Data.Sqlite;
using Stratus.Api;
using Stratus.Functions;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteFunctionStore : IFunctionStore
{
    private const string Columns = "name, runtime, role, handler, description, memory_size, timeout, environment, code_sha256, code_size, revision_id, last_modified, ephemeral_storage";
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
                LastModified = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
            });
        }

        return result;
    }

    public bool TryInsert(FunctionDefinition function)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT OR IGNORE INTO functions ({Columns}) VALUES ($name, $runtime, $role, $handler, $description, $memory, $timeout, $environment, $sha, $size, $revision, $modified, $ephemeral)";
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
                code_size = $size, revision_id = $revision, last_modified = $modified, ephemeral_storage = $ephemeral
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
        command.CommandText = "DELETE FROM function_concurrency WHERE name = $name; DELETE FROM functions WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteNonQuery() >= 1;
    }

    public IReadOnlyDictionary<string, int> LoadReservedConcurrency()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, reserved FROM function_concurrency";
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.GetInt32(1);
        }

        return result;
    }

    public void SetReservedConcurrency(string name, int? reserved)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = reserved is null
            ? "DELETE FROM function_concurrency WHERE name = $name"
            : "INSERT INTO function_concurrency (name, reserved) VALUES ($name, $reserved) ON CONFLICT (name) DO UPDATE SET reserved = excluded.reserved";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$reserved", (object?)reserved ?? DBNull.Value);
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
    }
}
