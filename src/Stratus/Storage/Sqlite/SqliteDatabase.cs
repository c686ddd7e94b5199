using Microsoft.Data.Sqlite;

namespace Stratus.Storage.Sqlite;

/// <summary>The embedded store: one SQLite file in WAL mode, with its schema created on open.</summary>
internal sealed class SqliteDatabase
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS functions (
            name TEXT PRIMARY KEY,
            runtime TEXT NOT NULL,
            role TEXT NOT NULL,
            handler TEXT NOT NULL,
            description TEXT NOT NULL,
            memory_size INTEGER NOT NULL,
            timeout INTEGER NOT NULL,
            environment TEXT NOT NULL,
            code_sha256 TEXT NOT NULL,
            code_size INTEGER NOT NULL,
            revision_id TEXT NOT NULL,
            last_modified INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS logs (
            id INTEGER PRIMARY KEY,
            function_name TEXT NOT NULL,
            request_id TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS function_provisioned (
            name TEXT PRIMARY KEY,
            provisioned INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS function_concurrency (
            name TEXT PRIMARY KEY,
            reserved INTEGER NOT NULL
        );
        """;

    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();

        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;" + Schema;
        command.ExecuteNonQuery();
        AddColumn(connection, "functions", "ephemeral_storage", "INTEGER NOT NULL DEFAULT 512");
        AddColumn(connection, "functions", "network_access", "INTEGER NOT NULL DEFAULT 1");
        AddColumn(connection, "functions", "dead_letter_target", "TEXT");
    }

    /// <summary>Brings a database made by an earlier version up to date.</summary>
    internal static void AddColumn(SqliteConnection connection, string table, string column, string definition)
    {
        using var check = connection.CreateCommand();
        check.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
        if ((long)check.ExecuteScalar()! == 0)
        {
            using var alter = connection.CreateCommand();
            alter.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} {definition}";
            alter.ExecuteNonQuery();
        }
    }

    /// <summary>Runs a store's own schema (<c>CREATE TABLE IF NOT EXISTS</c> statements) when it is constructed.</summary>
    public void EnsureSchema(string schema)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = schema;
        command.ExecuteNonQuery();
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // WAL with synchronous=NORMAL is durable across process crashes; busy_timeout serialises writers.
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
