using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Stratus.Storage.Sqlite;

/// <summary>
/// Queues in the embedded database. One connection serves every call under a lock: a receive reads
/// and marks its messages in one transaction, so no message goes to two receivers at once.
/// </summary>
internal sealed class SqliteQueueStore : IQueueStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS queues (
            name TEXT PRIMARY KEY,
            visibility_timeout INTEGER NOT NULL,
            delay_seconds INTEGER NOT NULL,
            retention INTEGER NOT NULL,
            max_size INTEGER NOT NULL,
            wait_seconds INTEGER NOT NULL,
            redrive_policy TEXT,
            other TEXT NOT NULL,
            created INTEGER NOT NULL,
            modified INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS queue_messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            queue TEXT NOT NULL,
            id TEXT NOT NULL,
            body TEXT NOT NULL,
            attributes TEXT,
            md5_body TEXT NOT NULL,
            md5_attributes TEXT,
            sender TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            visible_at INTEGER NOT NULL,
            receive_count INTEGER NOT NULL DEFAULT 0,
            first_received_at INTEGER,
            receipt TEXT
        );
        CREATE INDEX IF NOT EXISTS queue_messages_by_visibility ON queue_messages (queue, visible_at, seq);
        """;

    private const string Columns = "name, visibility_timeout, delay_seconds, retention, max_size, wait_seconds, redrive_policy, other, created, modified";

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;

    public SqliteQueueStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _connection = database.Open();
        Execute(Schema);
    }

    public QueueDefinition? GetQueue(string name)
    {
        lock (_lock)
        {
            using var command = Command($"SELECT {Columns} FROM queues WHERE name = $name", ("$name", name));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadQueue(reader) : null;
        }
    }

    public bool CreateQueue(QueueDefinition queue)
    {
        lock (_lock)
        {
            using var command = Command(
                $"INSERT OR IGNORE INTO queues ({Columns}) VALUES ($name, $vt, $delay, $retention, $size, $wait, $redrive, $other, $created, $modified)",
                QueueParameters(queue));
            return command.ExecuteNonQuery() == 1;
        }
    }

    public void UpdateQueue(QueueDefinition queue)
    {
        lock (_lock)
        {
            using var command = Command(
                "UPDATE queues SET visibility_timeout = $vt, delay_seconds = $delay, retention = $retention, max_size = $size, wait_seconds = $wait, redrive_policy = $redrive, other = $other, modified = $modified WHERE name = $name",
                QueueParameters(queue));
            command.ExecuteNonQuery();
        }
    }

    public IReadOnlyList<string> ListQueues(string prefix, string? after, int limit)
    {
        lock (_lock)
        {
            using var command = Command(
                "SELECT name FROM queues WHERE substr(name, 1, length($prefix)) = $prefix AND name > $after ORDER BY name LIMIT $limit",
                ("$prefix", prefix),
                ("$after", after ?? ""),
                ("$limit", limit));
            using var reader = command.ExecuteReader();
            var names = new List<string>();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            return names;
        }
    }

    public bool DeleteQueue(string name)
    {
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using var messages = Command("DELETE FROM queue_messages WHERE queue = $name", ("$name", name));
            messages.ExecuteNonQuery();
            using var queue = Command("DELETE FROM queues WHERE name = $name", ("$name", name));
            var deleted = queue.ExecuteNonQuery() == 1;
            transaction.Commit();
            return deleted;
        }
    }

    public void Send(string queue, IReadOnlyList<NewMessage> messages)
    {
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO queue_messages (queue, id, body, attributes, md5_body, md5_attributes, sender, sent_at, visible_at) VALUES ($queue, $id, $body, $attributes, $md5, $md5a, $sender, $sent, $visible)";
            command.Parameters.AddWithValue("$queue", queue);
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var body = command.Parameters.Add("$body", SqliteType.Text);
            var attributes = command.Parameters.Add("$attributes", SqliteType.Text);
            var md5 = command.Parameters.Add("$md5", SqliteType.Text);
            var md5a = command.Parameters.Add("$md5a", SqliteType.Text);
            var sender = command.Parameters.Add("$sender", SqliteType.Text);
            var sent = command.Parameters.Add("$sent", SqliteType.Integer);
            var visible = command.Parameters.Add("$visible", SqliteType.Integer);
            foreach (var message in messages)
            {
                id.Value = message.Id;
                body.Value = message.Body;
                attributes.Value = (object?)message.Attributes ?? DBNull.Value;
                md5.Value = message.Md5OfBody;
                md5a.Value = (object?)message.Md5OfAttributes ?? DBNull.Value;
                sender.Value = message.SenderId;
                sent.Value = message.SentAt;
                visible.Value = message.VisibleAt;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    public ReceiveOutcome Receive(string queue, int limit, long now, long invisibleUntil, RedriveTarget? redrive, long retainedSince)
    {
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using (var expire = Command("DELETE FROM queue_messages WHERE queue = $queue AND sent_at < $since", ("$queue", queue), ("$since", retainedSince)))
            {
                expire.ExecuteNonQuery();
            }

            var moved = 0;
            if (redrive is not null)
            {
                // A message already received maxReceiveCount times is not delivered again: it moves to
                // the dead-letter queue, keeping its id, body and sent time.
                using var move = Command(
                    "UPDATE queue_messages SET queue = $dlq, receive_count = 0, first_received_at = NULL, receipt = NULL, visible_at = $now WHERE queue = $queue AND visible_at <= $now AND receive_count >= $max",
                    ("$dlq", redrive.Queue),
                    ("$now", now),
                    ("$queue", queue),
                    ("$max", redrive.MaxReceiveCount));
                moved = move.ExecuteNonQuery();
            }

            var taken = new List<StoredMessage>();
            using (var select = Command(
                "SELECT seq, id, body, attributes, md5_body, md5_attributes, sender, sent_at, receive_count, first_received_at FROM queue_messages WHERE queue = $queue AND visible_at <= $now ORDER BY visible_at, seq LIMIT $limit",
                ("$queue", queue),
                ("$now", now),
                ("$limit", limit)))
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read())
                {
                    taken.Add(new StoredMessage(
                        reader.GetString(1),
                        new ReceiptHandle(reader.GetInt64(0), NewToken()),
                        reader.GetString(2),
                        reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.GetString(4),
                        reader.IsDBNull(5) ? null : reader.GetString(5),
                        reader.GetString(6),
                        reader.GetInt64(7),
                        reader.GetInt32(8) + 1,
                        reader.IsDBNull(9) ? now : reader.GetInt64(9)));
                }
            }

            if (taken.Count > 0)
            {
                using var mark = _connection.CreateCommand();
                mark.CommandText = "UPDATE queue_messages SET receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, $now), visible_at = $until, receipt = $receipt WHERE seq = $seq";
                mark.Parameters.AddWithValue("$now", now);
                mark.Parameters.AddWithValue("$until", invisibleUntil);
                var receipt = mark.Parameters.Add("$receipt", SqliteType.Text);
                var seq = mark.Parameters.Add("$seq", SqliteType.Integer);
                foreach (var message in taken)
                {
                    receipt.Value = message.Handle.Token;
                    seq.Value = message.Handle.Sequence;
                    mark.ExecuteNonQuery();
                }
            }

            transaction.Commit();
            return new ReceiveOutcome(taken, moved);
        }
    }

    public bool Delete(string queue, ReceiptHandle handle)
    {
        lock (_lock)
        {
            using var command = Command(
                "DELETE FROM queue_messages WHERE seq = $seq AND queue = $queue AND receipt = $receipt",
                ("$seq", handle.Sequence),
                ("$queue", queue),
                ("$receipt", handle.Token));
            return command.ExecuteNonQuery() == 1;
        }
    }

    public bool ChangeVisibility(string queue, ReceiptHandle handle, long now, long visibleAt)
    {
        lock (_lock)
        {
            using var command = Command(
                "UPDATE queue_messages SET visible_at = $visible WHERE seq = $seq AND queue = $queue AND receipt = $receipt AND visible_at > $now",
                ("$visible", visibleAt),
                ("$seq", handle.Sequence),
                ("$queue", queue),
                ("$receipt", handle.Token),
                ("$now", now));
            return command.ExecuteNonQuery() == 1;
        }
    }

    public void Purge(string queue)
    {
        lock (_lock)
        {
            using var command = Command("DELETE FROM queue_messages WHERE queue = $queue", ("$queue", queue));
            command.ExecuteNonQuery();
        }
    }

    public QueueCounts Count(string queue, long now, long retainedSince)
    {
        lock (_lock)
        {
            using var command = Command(
                "SELECT COALESCE(SUM(visible_at <= $now), 0), COALESCE(SUM(visible_at > $now AND receive_count > 0), 0), COALESCE(SUM(visible_at > $now AND receive_count = 0), 0) FROM queue_messages WHERE queue = $queue AND sent_at >= $since",
                ("$now", now),
                ("$queue", queue),
                ("$since", retainedSince));
            using var reader = command.ExecuteReader();
            reader.Read();
            return new QueueCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
    }

    public long? NextVisibleAt(string queue, long now)
    {
        lock (_lock)
        {
            using var command = Command("SELECT MIN(visible_at) FROM queue_messages WHERE queue = $queue AND visible_at > $now", ("$queue", queue), ("$now", now));
            return command.ExecuteScalar() is long next ? next : null;
        }
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static QueueDefinition ReadQueue(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetInt32(1),
        reader.GetInt32(2),
        reader.GetInt32(3),
        reader.GetInt32(4),
        reader.GetInt32(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        JsonSerializer.Deserialize(reader.GetString(7), StoreJson.Default.DictionaryStringString) ?? [],
        reader.GetInt64(8),
        reader.GetInt64(9));

    private static (string, object?)[] QueueParameters(QueueDefinition queue) =>
    [
        ("$name", queue.Name),
        ("$vt", queue.VisibilityTimeout),
        ("$delay", queue.DelaySeconds),
        ("$retention", queue.MessageRetentionPeriod),
        ("$size", queue.MaximumMessageSize),
        ("$wait", queue.ReceiveMessageWaitTimeSeconds),
        ("$redrive", queue.RedrivePolicy),
        ("$other", JsonSerializer.Serialize(queue.Other.ToDictionary(), StoreJson.Default.DictionaryStringString)),
        ("$created", queue.CreatedAt),
        ("$modified", queue.ModifiedAt),
    ];

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StoreJson : System.Text.Json.Serialization.JsonSerializerContext;
