using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Stratus.Billing;

/// <summary>
/// Meters invocations. <see cref="Append"/> puts the record into the memory-mapped journal (no system
/// call, no lock) before the invoker releases the reply: a caller that got its answer has a record
/// that survives the server being killed the next instant (imported at the next start). Records reach
/// the store in batches, every <see cref="ImportInterval"/> and before every query, so the hot path
/// never waits on the disk. Each batch is stored with the journal position it reaches, in one
/// transaction, so no record is imported twice. Power loss is out of scope: the journal lives in the
/// page cache until the kernel writes it back, and is not flushed to the disk.
/// </summary>
public sealed partial class UsageLedger : IAsyncDisposable
{
    private const int MaxBatch = 1024;
    private const int PrefetchAhead = 4;
    private readonly IUsageStore _store;
    private readonly ILogger<UsageLedger> _logger;
    private readonly UsageJournal _journal;
    private readonly Lock _import = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _importer;
    private readonly UsageBatch _batch = new(MaxBatch);
    private int _disposed;

    public UsageLedger(IUsageStore store, string journalDirectory, TimeProvider time, ILogger<UsageLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(journalDirectory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _logger = logger;
        _journal = new UsageJournal(journalDirectory, store.LastJournalFile());
        ImportLeftovers();
        _journal.Prepare();
        // A thread of its own: an import waits on SQLite and the disk, and on two cores a thread-pool
        // thread held for that is half of what serves requests.
        _importer = Task.Factory.StartNew(() => ImportLoop(time), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public static TimeSpan ImportInterval { get; } = TimeSpan.FromMilliseconds(250);

    public IUsageStore Store => _store;

    /// <summary>Journals a record; on return it survives the server being killed.</summary>
    [SkipLocalsInit]
    public void Append(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Span<byte> encoded = stackalloc byte[JournalFile.MaxPayload];
        var length = UsageRecordCodec.Encode(record, encoded);
        if (length < 0)
        {
            // Names are validated far shorter than a slot: this is a bug, not an input to bill.
            Log.TooLarge(_logger, record.RequestId);
            return;
        }

        _journal.Append(encoded[..length]);
    }

    /// <summary>Sums the ledger, everything journalled so far included.</summary>
    public IReadOnlyList<UsageTotal> Totals(UsageQuery query)
    {
        Import();
        return _store.Totals(query);
    }

    /// <summary>Moves every record journalled so far into the store; false when the store failed (logged).</summary>
    public bool Import()
    {
        lock (_import)
        {
            foreach (var file in _journal.Snapshot())
            {
                while (file.Imported < file.Reserved)
                {
                    var from = file.Imported;
                    var to = from;
                    while (to < file.Reserved && _batch.Count < MaxBatch && file.TryRead(to, out var payload))
                    {
                        // The records ahead start loading while this one is copied.
                        file.Prefetch(to + PrefetchAhead, payload.Length);
                        _batch.Add(payload);
                        to++;
                    }

                    if (to == from)
                    {
                        // Its writer is copying it right now: the next import takes it and what follows.
                        return true;
                    }

                    if (!TryStore(new JournalMark(file.Number, to)))
                    {
                        return false;
                    }

                    file.Imported = to;
                }

                if (file.IsFull && file.Imported >= JournalFile.Slots)
                {
                    _journal.Retire(file);
                }
            }

            return true;
        }
    }

    /// <summary>Stops the importer, imports what is left and closes the journal (a graceful stop).</summary>
    public async ValueTask DisposeAsync()
    {
        // The server stops it before its services go, and then the container disposes it again.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await _importer;
        Import();
        _journal.Dispose();
        _stop.Dispose();
    }

    private bool TryStore(JournalMark mark)
    {
        try
        {
            _store.Append(_batch, mark);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Kept in the journal: the next import tries again, and a restart imports the file.
            Log.WriteFailed(_logger, _batch.Count, ex);
            return false;
        }
        finally
        {
            _batch.Clear();
        }
    }

    /// <summary>Records a killed server journalled but did not store: stored now, past each file's mark; then the files go.</summary>
    private void ImportLeftovers()
    {
        foreach (var path in _journal.Leftovers)
        {
            var number = UsageJournal.NumberOf(path);
            var slots = JournalFile.ReadLeftover(path, _store.ImportedSlots(number));
            for (var i = 0; i < slots.Count; i++)
            {
                _batch.Add(slots[i].Payload);
                if ((_batch.Count == MaxBatch || i == slots.Count - 1) && !TryStore(new JournalMark(number, slots[i].Slot + 1)))
                {
                    return;
                }
            }

            File.Delete(path);
        }
    }

    private void ImportLoop(TimeProvider time)
    {
        using var timer = new PeriodicTimer(ImportInterval, time);
        try
        {
            while (timer.WaitForNextTickAsync(_stop.Token).AsTask().GetAwaiter().GetResult())
            {
                _journal.Prepare();
                Import();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: DisposeAsync imports the rest.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Error, "Could not store {Count} usage records; they stay in the journal and are tried again")]
        public static partial void WriteFailed(ILogger logger, int count, Exception exception);

        [LoggerMessage(41, LogLevel.Error, "Usage record of {RequestId} does not fit a journal slot; not metered")]
        public static partial void TooLarge(ILogger logger, string requestId);
    }
}
