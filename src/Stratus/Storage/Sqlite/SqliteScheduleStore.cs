using System.Text.Json;
using Microsoft.Data.Sqlite;
using Stratus.Events;

namespace Stratus.Storage.Sqlite;

internal sealed class SqliteScheduleStore : IScheduleStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS schedules (
            name TEXT PRIMARY KEY,
            definition TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS schedule_firings (
            name TEXT PRIMARY KEY,
            tick INTEGER NOT NULL,
            enqueued_at INTEGER NOT NULL,
            request_id TEXT,
            duplicate INTEGER NOT NULL,
            error TEXT
        );
        """;

    private readonly SqliteDatabase _database;

    public SqliteScheduleStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        database.EnsureSchema(Schema);
    }

    public IReadOnlyList<StoredSchedule> LoadAll()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT s.definition, f.tick, f.enqueued_at, f.request_id, f.duplicate, f.error
            FROM schedules s LEFT JOIN schedule_firings f ON f.name = s.name ORDER BY s.name
            """;
        using var reader = command.ExecuteReader();
        var result = new List<StoredSchedule>();
        while (reader.Read())
        {
            var definition = JsonSerializer.Deserialize(reader.GetString(0), ScheduleJson.Default.ScheduleDefinition)!;
            var firing = reader.IsDBNull(1) ? null : new ScheduleFiring(
                definition.Name,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4) != 0,
                reader.IsDBNull(5) ? null : reader.GetString(5));
            result.Add(new StoredSchedule(definition, firing));
        }

        return result;
    }

    public void Put(ScheduleDefinition schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO schedules (name, definition) VALUES ($name, $definition) ON CONFLICT (name) DO UPDATE SET definition = excluded.definition";
        command.Parameters.AddWithValue("$name", schedule.Name);
        command.Parameters.AddWithValue("$definition", JsonSerializer.Serialize(schedule, ScheduleJson.Default.ScheduleDefinition));
        command.ExecuteNonQuery();
    }

    public bool Delete(string name)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM schedule_firings WHERE name = $name; DELETE FROM schedules WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        var deleted = command.ExecuteNonQuery() > 0;
        transaction.Commit();
        return deleted;
    }

    public void RecordFirings(IReadOnlyList<ScheduleFiring> firings)
    {
        ArgumentNullException.ThrowIfNull(firings);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        // A late write of an older tick never moves a schedule's last tick backwards.
        command.CommandText = """
            INSERT INTO schedule_firings (name, tick, enqueued_at, request_id, duplicate, error)
            VALUES ($name, $tick, $at, $id, $dup, $error)
            ON CONFLICT (name) DO UPDATE SET tick = excluded.tick, enqueued_at = excluded.enqueued_at,
                request_id = excluded.request_id, duplicate = excluded.duplicate, error = excluded.error
            WHERE excluded.tick >= schedule_firings.tick
            """;
        var name = command.Parameters.Add("$name", SqliteType.Text);
        var tick = command.Parameters.Add("$tick", SqliteType.Integer);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var duplicate = command.Parameters.Add("$dup", SqliteType.Integer);
        var error = command.Parameters.Add("$error", SqliteType.Text);
        foreach (var firing in firings)
        {
            name.Value = firing.Name;
            tick.Value = firing.Tick.ToUnixTimeMilliseconds();
            at.Value = firing.EnqueuedAt.ToUnixTimeMilliseconds();
            id.Value = (object?)firing.RequestId ?? DBNull.Value;
            duplicate.Value = firing.Duplicate ? 1 : 0;
            error.Value = (object?)firing.Error ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
