using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Stratus.Billing;

/// <summary>
/// Meters invocations: records are queued and written to the store in batches by one background
/// loop (a group commit). With a journal (the server's case), <see cref="AppendAsync"/> first appends
/// the record to it (one write system call) and completes at once: the invoker releases the reply
/// after that, so a caller that got its answer has a record that survives the server being killed
/// the next instant (imported at the next start), and no reply waits for a commit. Without one (tests
/// of the store), it completes once its record's batch is committed. The ledger's (request id,
/// attempt) key makes a record written twice count once.
/// </summary>
public sealed partial class UsageLedger : IAsyncDisposable
{
    private const int MaxBatch = 512;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IUsageStore _store;
    private readonly ILogger<UsageLedger> _logger;
    private readonly Task _writer;

    private readonly UsageJournal? _journal;

    private readonly record struct Pending(UsageRecord Record, TaskCompletionSource? Committed, UsageJournal.Segment? Segment);

    public UsageLedger(IUsageStore store, ILogger<UsageLedger> logger, string? journalDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _logger = logger;
        if (journalDirectory is not null)
        {
            _journal = new UsageJournal(journalDirectory);
            ImportLeftovers(journalDirectory, _journal.CurrentPath);
        }

        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Records a killed server had journaled but maybe not stored: stored now (once each), then the files go.</summary>
    private void ImportLeftovers(string directory, string current)
    {
        var (records, files) = UsageJournal.ReadLeftovers(directory, current);
        for (var start = 0; start < records.Count; start += MaxBatch)
        {
            _store.Append(records.GetRange(start, Math.Min(MaxBatch, records.Count - start)));
        }

        files.ForEach(File.Delete);
    }

    public IUsageStore Store => _store;

    /// <summary>Queues a record; the task completes when it is durable (or its batch failed, logged).</summary>
    public Task AppendAsync(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (_journal is not null)
        {
            // Durable against a killed server from here on; the store gets it with the next batch.
            var segment = _journal.Append(record);
            if (!_queue.Writer.TryWrite(new Pending(record, null, segment)))
            {
                Log.Stopped(_logger, record.RequestId);
            }

            return Task.CompletedTask;
        }

        // Continuations run on the pool, not on the writer loop, which goes straight on to the next batch.
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Pending(record, committed, null)))
        {
            // Stopped: the server is going down and the reply will not reach anyone through it.
            Log.Stopped(_logger, record.RequestId);
            return Task.CompletedTask;
        }

        return committed.Task;
    }

    public IReadOnlyList<UsageTotal> Totals(UsageQuery query) => _store.Totals(query);

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var records = new List<UsageRecord>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            // Whatever queued while the last batch was being committed goes in this one.
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                records.Add(pending.Record);
            }

            try
            {
                _store.Append(records);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Metering must not take the platform down with it: the callers still get their replies.
                Log.WriteFailed(_logger, records.Count, ex);
            }

            foreach (var pending in batch)
            {
                pending.Committed?.TrySetResult();
                if (pending.Segment is { } segment)
                {
                    _journal!.Committed(segment, 1);
                }
            }

            batch.Clear();
            records.Clear();
        }
    }

    /// <summary>Stops taking records and commits everything queued so far (a graceful stop).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        _journal?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Error, "Could not store {Count} usage records")]
        public static partial void WriteFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(41, LogLevel.Warning, "Usage record of {RequestId} arrived after the ledger stopped")]
        public static partial void Stopped(ILogger logger, string requestId);
    }
}
