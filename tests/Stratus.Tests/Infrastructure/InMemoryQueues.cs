using System.Collections.Concurrent;
using System.Threading.Channels;
using Stratus.Events;

namespace Stratus.Tests.Infrastructure;

/// <summary>A stand-in for the queue service: every queue exists and each message is kept for the test to read.</summary>
public sealed class InMemoryQueues : IQueueMessages
{
    private readonly ConcurrentDictionary<string, Channel<QueueMessage>> _queues = new(StringComparer.Ordinal);

    public bool Exists(string queueArn) => true;

    public ValueTask<string> SendAsync(string queueArn, string body, IReadOnlyDictionary<string, string>? attributes = null, CancellationToken cancellationToken = default)
    {
        var id = Guid.NewGuid().ToString();
        Queue(queueArn).Writer.TryWrite(new QueueMessage(id, body, attributes ?? new Dictionary<string, string>()));
        return ValueTask.FromResult(id);
    }

    /// <summary>The next message sent to <paramref name="queueArn"/>.</summary>
    public async Task<QueueMessage> ReceiveAsync(string queueArn)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await Queue(queueArn).Reader.ReadAsync(patience.Token);
    }

    private Channel<QueueMessage> Queue(string arn) => _queues.GetOrAdd(arn, _ => Channel.CreateUnbounded<QueueMessage>());
}

public sealed record QueueMessage(string MessageId, string Body, IReadOnlyDictionary<string, string> Attributes);
