using System.Threading.Channels;
using Stratus.Storage;

namespace Stratus.Observability;

/// <summary>One follower of a function's live logs: a bounded queue that drops its oldest records when full.</summary>
public sealed class LogSubscription : IDisposable
{
    private readonly LiveLogs _owner;
    private readonly Channel<LogRecord> _records;
    private long _dropped;

    internal LogSubscription(LiveLogs owner, string functionName, int capacity)
    {
        _owner = owner;
        FunctionName = functionName;
        _records = Channel.CreateBounded<LogRecord>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    public string FunctionName { get; }

    public ChannelReader<LogRecord> Records => _records.Reader;

    /// <summary>Records lost because the follower fell too far behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void Offer(LogRecord record) => _records.Writer.TryWrite(record);

    public void Dispose()
    {
        _owner.Remove(this);
        _records.Writer.TryComplete();
    }
}
