using System.Text.Json;
using Microsoft.Data.Sqlite;
using Stratus.Events.Urls;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteFunctionUrlStore : IFunctionUrlStore
{
    // The qualifier column holds '' for the unqualified function so that the unique key covers it.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS function_urls (
            url_id TEXT PRIMARY KEY,
            function_name TEXT NOT NULL,
            qualifier TEXT NOT NULL,
            auth_type TEXT NOT NULL,
            cors TEXT,
            invoke_mode TEXT NOT NULL,
            created INTEGER NOT NULL,
            modified INTEGER NOT NULL,
            UNIQUE (function_name, qualifier)
        );
        """;

    private const string Columns = "url_id, function_name, qualifier, auth_type, cors, invoke_mode, created, modified";
    private readonly SqliteDatabase _database;

    public SqliteFunctionUrlStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema(Schema);
    }

    public IReadOnlyList<FunctionUrlConfig> LoadAll()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM function_urls";
        using var reader = command.ExecuteReader();
        var result = new List<FunctionUrlConfig>();
        while (reader.Read())
        {
            var qualifier = reader.GetString(2);
            result.Add(new FunctionUrlConfig(
                reader.GetString(0),
                reader.GetString(1),
                qualifier.Length == 0 ? null : qualifier,
                reader.GetString(3),
                reader.IsDBNull(4) ? null : JsonSerializer.Deserialize(reader.GetString(4), Api.FunctionUrlJson.Default.FunctionUrlCors),
                reader.GetString(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
        }

        return result;
    }

    public bool TryInsert(FunctionUrlConfig config)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT OR IGNORE INTO function_urls ({Columns}) VALUES ($id, $fn, $qualifier, $auth, $cors, $mode, $created, $modified)";
        Bind(command, config);
        return command.ExecuteNonQuery() == 1;
    }

    public void Update(FunctionUrlConfig config)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE function_urls SET auth_type = $auth, cors = $cors, invoke_mode = $mode, modified = $modified WHERE url_id = $id";
        Bind(command, config);
        command.ExecuteNonQuery();
    }

    public bool Delete(string urlId)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM function_urls WHERE url_id = $id";
        command.Parameters.AddWithValue("$id", urlId);
        return command.ExecuteNonQuery() == 1;
    }

    private static void Bind(SqliteCommand command, FunctionUrlConfig config)
    {
        command.Parameters.AddWithValue("$id", config.UrlId);
        command.Parameters.AddWithValue("$fn", config.FunctionName);
        command.Parameters.AddWithValue("$qualifier", config.Qualifier ?? "");
        command.Parameters.AddWithValue("$auth", config.AuthType);
        command.Parameters.AddWithValue("$cors", config.Cors is null ? DBNull.Value : JsonSerializer.Serialize(config.Cors, Api.FunctionUrlJson.Default.FunctionUrlCors));
        command.Parameters.AddWithValue("$mode", config.InvokeMode);
        command.Parameters.AddWithValue("$created", config.CreationTime.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$modified", config.LastModifiedTime.ToUnixTimeMilliseconds());
    }
}
