using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Stratus.Invocation;

namespace Stratus.Storage.Sqlite;

/// <summary>
/// The async event queue in SQLite. Enqueues from concurrent callers are written by one writer, as
/// many as are waiting in one transaction (group commit): with WAL and synchronous=NORMAL a commit
/// survives a killed process, and one commit for many events is what makes thousands a second cheap.
/// </summary>
internal sealed class SqliteAsyncEventStore : IAsyncEventStore, IAsyncDisposable
{
    private const int MaxBatch = 1024;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS async_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            request_id TEXT NOT NULL,
            function_name TEXT NOT NULL,
            qualifier TEXT,
            payload BLOB NOT NULL,
            source TEXT NOT NULL,
            accepted_at INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            leased INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            invokes INTEGER NOT NULL DEFAULT 0,
            throttles INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS async_events_due ON async_events (due_at);
        CREATE TABLE IF NOT EXISTS async_dedup (
            key TEXT PRIMARY KEY,
            request_id TEXT NOT NULL,
            accepted_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS async_dedup_by_age ON async_dedup (accepted_at);
        """;

    private const string EventColumns = "id, request_id, function_name, qualifier, payload, source, accepted_at, attempts, invokes, throttles";

    private readonly SqliteDatabase _database;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;
    private readonly Task _writer;

    public SqliteAsyncEventStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _connection = database.Open();
        Execute(_connection, Schema);
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task<AsyncAccepted> EnqueueAsync(QueuedEvent queued, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queued);
        // Continuations run off the writer, so it goes straight on to the next batch.
        var pending = new Pending(queued, new TaskCompletionSource<AsyncAccepted>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(SqliteAsyncEventStore), "The event queue is closed: the server is stopping.");
        }

        return pending.Accepted.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        using var connection = _database.Open();
        using var dedup = connection.CreateCommand();
        dedup.CommandText = "INSERT INTO async_dedup (key, request_id, accepted_at) VALUES ($key, $id, $at) ON CONFLICT (key) DO NOTHING";
        var dedupKey = dedup.Parameters.Add("$key", SqliteType.Text);
        var dedupId = dedup.Parameters.Add("$id", SqliteType.Text);
        var dedupAt = dedup.Parameters.Add("$at", SqliteType.Integer);
        using var earlier = connection.CreateCommand();
        earlier.CommandText = "SELECT request_id FROM async_dedup WHERE key = $key";
        var earlierKey = earlier.Parameters.Add("$key", SqliteType.Text);
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO async_events (request_id, function_name, qualifier, payload, source, accepted_at, due_at) VALUES ($id, $fn, $q, $payload, $source, $at, $at)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var fn = insert.Parameters.Add("$fn", SqliteType.Text);
        var qualifier = insert.Parameters.Add("$q", SqliteType.Text);
        var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
        var source = insert.Parameters.Add("$source", SqliteType.Text);
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        var results = new AsyncAccepted[MaxBatch];

        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                lock (_lock)
                {
                    using var transaction = connection.BeginTransaction();
                    dedup.Transaction = earlier.Transaction = insert.Transaction = transaction;
                    for (var i = 0; i < batch.Count; i++)
                    {
                        var queued = batch[i].Event;
                        if (queued.DeduplicationKey is { } key)
                        {
                            dedupKey.Value = key;
                            dedupId.Value = queued.RequestId;
                            dedupAt.Value = queued.AcceptedAt.ToUnixTimeMilliseconds();
                            if (dedup.ExecuteNonQuery() == 0)
                            {
                                earlierKey.Value = key;
                                results[i] = new AsyncAccepted((string)earlier.ExecuteScalar()!, Duplicate: true);
                                continue;
                            }
                        }

                        id.Value = queued.RequestId;
                        fn.Value = queued.FunctionName;
                        qualifier.Value = (object?)queued.Qualifier ?? DBNull.Value;
                        payload.Value = queued.Payload;
                        source.Value = queued.Source;
                        at.Value = queued.AcceptedAt.ToUnixTimeMilliseconds();
                        insert.ExecuteNonQuery();
                        results[i] = new AsyncAccepted(queued.RequestId, Duplicate: false);
                    }

                    transaction.Commit();
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Accepted.TrySetResult(results[i]);
                }
            }
            catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
            {
                // Nothing of the batch is stored: every caller hears so and none is told "accepted".
                foreach (var failed in batch)
                {
                    failed.Accepted.TrySetException(ex);
                }
            }
        }
    }

    public IReadOnlyList<StoredEvent> Lease(DateTimeOffset now, DateTimeOffset leaseUntil, int max)
    {
        // A leased event is due again when its lease runs out: if this server loses it, it runs again.
        var result = new List<StoredEvent>();
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"""
                UPDATE async_events SET leased = 1, due_at = $until
                WHERE id IN (SELECT id FROM async_events WHERE due_at <= $now ORDER BY due_at, id LIMIT $max)
                RETURNING {EventColumns}
                """;
            command.Parameters.AddWithValue("$until", leaseUntil.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                result.Add(new StoredEvent(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    (byte[])reader.GetValue(4),
                    reader.GetString(5),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                    reader.GetInt32(7),
                    reader.GetInt32(8),
                    reader.GetInt32(9)));
            }
        }

        result.Sort((a, b) => a.Id.CompareTo(b.Id));
        return result;
    }

    public DateTimeOffset? NextDue()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT MIN(due_at) FROM async_events";
            return command.ExecuteScalar() is long due ? DateTimeOffset.FromUnixTimeMilliseconds(due) : null;
        }
    }

    public AsyncBacklog Backlog()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*), MIN(accepted_at) FROM async_events";
            using var reader = command.ExecuteReader();
            reader.Read();
            return new AsyncBacklog(reader.GetInt64(0), reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
        }
    }

    public void ReleaseLeases(DateTimeOffset now) =>
        Run("UPDATE async_events SET leased = 0, due_at = $now WHERE leased = 1", ("$now", now.ToUnixTimeMilliseconds()));

    public void Reschedule(long id, DateTimeOffset dueAt, int attempts, int invokes, int throttles) =>
        Run(
            "UPDATE async_events SET leased = 0, due_at = $due, attempts = $attempts, invokes = $invokes, throttles = $throttles WHERE id = $id",
            ("$id", id),
            ("$due", dueAt.ToUnixTimeMilliseconds()),
            ("$attempts", attempts),
            ("$invokes", invokes),
            ("$throttles", throttles));

    public void PruneDeduplicationKeys(DateTimeOffset before) =>
        Run("DELETE FROM async_dedup WHERE accepted_at < $before", ("$before", before.ToUnixTimeMilliseconds()));

    public void Complete(long id) => Run("DELETE FROM async_events WHERE id = $id", ("$id", id));

    private void Run(string sql, params (string Name, object Value)[] parameters)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            command.ExecuteNonQuery();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_pending.Writer.TryComplete())
        {
            return;
        }

        await _writer;
        lock (_lock)
        {
            _connection.Dispose();
        }
    }

    private sealed record Pending(QueuedEvent Event, TaskCompletionSource<AsyncAccepted> Accepted);
}
