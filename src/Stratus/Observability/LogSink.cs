using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Stratus.Storage;

namespace Stratus.Observability;

/// <summary>
/// Takes invocation logs off the hot path: records are queued and written to the store in batches
/// by one background loop. <see cref="FlushAsync"/> lets a reader see everything queued so far.
/// </summary>
public sealed partial class LogSink : IAsyncDisposable
{
    // Under load a commit every 20 ms carries a few hundred records: each commit rewrites the last
    // page of the table and of each index, so fewer, larger ones cost less per record. Readers are not
    // kept waiting long: followers get records before they are stored, and a query that flushes waits
    // for one delay at most.
    private const int MaxBatch = 1024;
    private static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(20);
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogStore _store;
    private readonly ILogger<LogSink> _logger;
    private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;

    public LogSink(ILogStore store, TimeProvider time, ILogger<LogSink> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time;
        _logger = logger;
        // A thread of its own: a commit can wait on the disk for long (a checkpoint's fsync on a busy
        // machine), and a thread-pool thread blocked there is one fewer to answer requests with; on two
        // cores that stalled every request until the pool grew.
        new Thread(WriteLoop) { IsBackground = true, Name = "Stratus log writer" }.Start();
    }

    /// <summary>Followers of new records, told as each record is accepted, before it is stored.</summary>
    public LiveLogs Live { get; } = new();

    public void Append(LogRecord record)
    {
        _queue.Writer.TryWrite(record);
        Live.Publish(record);
    }

    /// <summary>Completes once every record appended before the call is stored.</summary>
    public Task FlushAsync()
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(flushed) ? flushed.Task : Task.CompletedTask;
    }

    public IReadOnlyList<LogRecord> Tail(string functionName, int limit) => _store.Tail(functionName, limit);

    public LogPage Query(LogQuery query) => _store.Query(query);

    /// <summary>Applies retention: records older than <paramref name="olderThan"/> go, then the oldest beyond <paramref name="maxBytes"/>.</summary>
    public int Prune(DateTimeOffset olderThan, long maxBytes) => _store.Prune(olderThan, maxBytes);

    private void WriteLoop()
    {
        try
        {
            WriteBatches();
        }
        finally
        {
            _written.TrySetResult();
        }
    }

    private void WriteBatches()
    {
        var batch = new List<LogRecord>(MaxBatch);
        var flushes = new List<TaskCompletionSource>();
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                if (item is LogRecord record)
                {
                    batch.Add(record);
                }
                else
                {
                    flushes.Add((TaskCompletionSource)item);
                    break;
                }
            }

            try
            {
                if (batch.Count > 0)
                {
                    _store.Append(batch);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.WriteFailed(_logger, batch.Count, ex);
            }

            var written = batch.Count;
            batch.Clear();
            foreach (var flush in flushes)
            {
                flush.TrySetResult();
            }

            // A small batch means records trickle in: let a few more gather so each commit carries more.
            if (written is > 0 and < MaxBatch && flushes.Count == 0)
            {
                Task.Delay(CoalesceDelay, _time).GetAwaiter().GetResult();
            }

            flushes.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _written.Task;
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Error, "Could not store {Count} log records")]
        public static partial void WriteFailed(ILogger logger, int count, Exception exception);
    }
}
