using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Stratus.Functions;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteReleaseStore : IReleaseStore
{
    // A version is an immutable snapshot of $LATEST: kept whole, as JSON. Numbers are never reused,
    // even after a version is deleted, so the last one is kept apart from the versions themselves.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS function_versions (
            function_name TEXT NOT NULL,
            version INTEGER NOT NULL,
            definition TEXT NOT NULL,
            PRIMARY KEY (function_name, version)
        );
        CREATE TABLE IF NOT EXISTS function_version_numbers (
            function_name TEXT PRIMARY KEY,
            last INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS function_aliases (
            function_name TEXT NOT NULL,
            name TEXT NOT NULL,
            function_version TEXT NOT NULL,
            description TEXT NOT NULL,
            weights TEXT NOT NULL,
            revision_id TEXT NOT NULL,
            PRIMARY KEY (function_name, name)
        );
        """;

    private readonly SqliteDatabase _database;

    public SqliteReleaseStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema(Schema);
    }

    public (IReadOnlyList<FunctionDefinition> Versions, IReadOnlyDictionary<string, int> LastNumbers) LoadVersions()
    {
        using var connection = _database.Open();
        var versions = new List<FunctionDefinition>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT definition FROM function_versions ORDER BY function_name, version";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                versions.Add(JsonSerializer.Deserialize(reader.GetString(0), ReleaseStoreJson.Default.FunctionDefinition)!);
            }
        }

        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT function_name, last FROM function_version_numbers";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                numbers[reader.GetString(0)] = reader.GetInt32(1);
            }
        }

        return (versions, numbers);
    }

    public IReadOnlyList<(string Function, FunctionAlias Alias)> LoadAliases()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT function_name, name, function_version, description, weights, revision_id FROM function_aliases ORDER BY function_name, name";
        using var reader = command.ExecuteReader();
        var aliases = new List<(string, FunctionAlias)>();
        while (reader.Read())
        {
            var weights = JsonSerializer.Deserialize(reader.GetString(4), ReleaseStoreJson.Default.DictionaryStringDouble) ?? [];
            aliases.Add((reader.GetString(0), new FunctionAlias(reader.GetString(1), reader.GetString(2), reader.GetString(3), weights, reader.GetString(5))));
        }

        return aliases;
    }

    public void InsertVersion(FunctionDefinition version, int number)
    {
        ArgumentNullException.ThrowIfNull(version);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, "INSERT INTO function_versions (function_name, version, definition) VALUES ($f, $v, $d)",
            ("$f", version.Name), ("$v", number), ("$d", JsonSerializer.Serialize(version, ReleaseStoreJson.Default.FunctionDefinition)));
        Execute(connection, "INSERT INTO function_version_numbers (function_name, last) VALUES ($f, $v) ON CONFLICT (function_name) DO UPDATE SET last = excluded.last",
            ("$f", version.Name), ("$v", number));
        transaction.Commit();
    }

    public void DeleteVersion(string function, int number)
    {
        using var connection = _database.Open();
        Execute(connection, "DELETE FROM function_versions WHERE function_name = $f AND version = $v", ("$f", function), ("$v", number));
    }

    public void SaveAlias(string function, FunctionAlias alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        using var connection = _database.Open();
        Execute(connection, """
            INSERT INTO function_aliases (function_name, name, function_version, description, weights, revision_id) VALUES ($f, $n, $v, $d, $w, $r)
            ON CONFLICT (function_name, name) DO UPDATE SET function_version = excluded.function_version, description = excluded.description,
                weights = excluded.weights, revision_id = excluded.revision_id
            """,
            ("$f", function), ("$n", alias.Name), ("$v", alias.FunctionVersion), ("$d", alias.Description),
            ("$w", JsonSerializer.Serialize(alias.AdditionalVersionWeights.ToDictionary(), ReleaseStoreJson.Default.DictionaryStringDouble)), ("$r", alias.RevisionId));
    }

    public void DeleteAlias(string function, string alias)
    {
        using var connection = _database.Open();
        Execute(connection, "DELETE FROM function_aliases WHERE function_name = $f AND name = $n", ("$f", function), ("$n", alias));
    }

    public void DeleteAll(string function)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var table in new[] { "function_versions", "function_version_numbers", "function_aliases" })
        {
            Execute(connection, $"DELETE FROM {table} WHERE function_name = $f", ("$f", function));
        }

        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}

[JsonSerializable(typeof(FunctionDefinition))]
[JsonSerializable(typeof(Dictionary<string, double>))]
internal sealed partial class ReleaseStoreJson : JsonSerializerContext;
