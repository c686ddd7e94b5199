using Stratus.Storage;

namespace Stratus.Observability;

/// <summary>
/// Fans new log records out to live followers (the console, <c>stratus logs -f</c>) as the log sink
/// accepts them, in memory: the database is never polled. Publishing with no followers costs one
/// volatile read; each follower has a bounded queue, and a slow one loses its oldest records, never
/// slowing invocations down.
/// </summary>
public sealed class LiveLogs
{
    /// <summary>How many followers the server serves at once, over all functions.</summary>
    public const int MaxSubscribers = 256;

    /// <summary>Records a follower may fall behind by before it loses the oldest.</summary>
    public const int SubscriberCapacity = 1024;

    private readonly Lock _lock = new();
    private volatile LogSubscription[] _subscribers = [];

    public int Count => _subscribers.Length;

    public void Publish(LogRecord record)
    {
        var subscribers = _subscribers;
        for (var i = 0; i < subscribers.Length; i++)
        {
            if (string.Equals(subscribers[i].FunctionName, record.FunctionName, StringComparison.Ordinal))
            {
                subscribers[i].Offer(record);
            }
        }
    }

    /// <summary>Follows one function's new records until the subscription is disposed; null when the server has too many followers.</summary>
    public LogSubscription? Subscribe(string functionName, int capacity = SubscriberCapacity)
    {
        lock (_lock)
        {
            if (_subscribers.Length >= MaxSubscribers)
            {
                return null;
            }

            var subscription = new LogSubscription(this, functionName, capacity);
            _subscribers = [.. _subscribers, subscription];
            return subscription;
        }
    }

    internal void Remove(LogSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
        }
    }
}
