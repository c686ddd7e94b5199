namespace Stratus.Storage;

/// <summary>
/// Durable queues with SQS's model. Times are Unix milliseconds from the caller's clock, so the queue
/// behaves the same under fake time. Every call is atomic: a message is received by one caller at a time.
/// </summary>
public interface IQueueStore
{
    QueueDefinition? GetQueue(string name);

    /// <summary>Stores a new queue; false when one with that name exists.</summary>
    bool CreateQueue(QueueDefinition queue);

    /// <summary>Names in order, after <paramref name="after"/> (exclusive), starting with <paramref name="prefix"/>.</summary>
    IReadOnlyList<string> ListQueues(string prefix, string? after, int limit);

    /// <summary>Deletes a queue and its messages; false when it did not exist.</summary>
    bool DeleteQueue(string name);

    void UpdateQueue(QueueDefinition queue);

    void Send(string queue, IReadOnlyList<NewMessage> messages);

    /// <summary>
    /// Drops messages older than the retention period, moves those received <c>maxReceiveCount</c> times
    /// to the dead-letter queue, then takes up to <paramref name="limit"/> visible messages: each gets a
    /// new receipt token, one more receive and stays invisible until <paramref name="invisibleUntil"/>.
    /// </summary>
    ReceiveOutcome Receive(string queue, int limit, long now, long invisibleUntil, RedriveTarget? redrive, long retainedSince);

    /// <summary>Deletes the message the handle was issued for; false when it is gone already.</summary>
    bool Delete(string queue, ReceiptHandle handle);

    /// <summary>Makes a received message visible at <paramref name="visibleAt"/>; false when the handle is stale or the message is not in flight.</summary>
    bool ChangeVisibility(string queue, ReceiptHandle handle, long now, long visibleAt);

    void Purge(string queue);

    /// <summary>The queue's messages by state, leaving out those sent before <paramref name="retainedSince"/> (expired).</summary>
    QueueCounts Count(string queue, long now, long retainedSince);

    /// <summary>When the next invisible message of the queue becomes visible, if any is waiting.</summary>
    long? NextVisibleAt(string queue, long now);
}

/// <summary>A queue and its settings (seconds, bytes; the redrive policy as SQS's JSON).</summary>
public sealed record QueueDefinition(
    string Name,
    int VisibilityTimeout,
    int DelaySeconds,
    int MessageRetentionPeriod,
    int MaximumMessageSize,
    int ReceiveMessageWaitTimeSeconds,
    string? RedrivePolicy,
    IReadOnlyDictionary<string, string> Other,
    long CreatedAt,
    long ModifiedAt);

/// <summary>Where poison messages go: the dead-letter queue's name and the receives allowed before.</summary>
public sealed record RedriveTarget(string Queue, int MaxReceiveCount);

public sealed record NewMessage(string Id, string Body, string? Attributes, string Md5OfBody, string? Md5OfAttributes, string SenderId, long SentAt, long VisibleAt);

/// <summary>A received message; <see cref="Attributes"/> is the stored message-attribute JSON.</summary>
public sealed record StoredMessage(
    string Id,
    ReceiptHandle Handle,
    string Body,
    string? Attributes,
    string Md5OfBody,
    string? Md5OfAttributes,
    string SenderId,
    long SentAt,
    int ReceiveCount,
    long FirstReceivedAt);

public sealed record ReceiveOutcome(IReadOnlyList<StoredMessage> Messages, int MovedToDeadLetter);

public sealed record QueueCounts(long Visible, long InFlight, long Delayed);

/// <summary>Identifies one receive of one message: the row and the token that receive was given.</summary>
public readonly record struct ReceiptHandle(long Sequence, string Token)
{
    public override string ToString() =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Sequence}.{Token}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryParse(string? text, out ReceiptHandle handle)
    {
        handle = default;
        if (string.IsNullOrEmpty(text) || text.Length > 1024)
        {
            return false;
        }

        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return false;
        }

        var decoded = System.Text.Encoding.UTF8.GetString(bytes, 0, written);
        var dot = decoded.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(decoded.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence) || dot == decoded.Length - 1)
        {
            return false;
        }

        handle = new ReceiptHandle(sequence, decoded[(dot + 1)..]);
        return true;
    }
}
