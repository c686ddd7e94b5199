using System.Threading.Channels;
using Stratus.Api;
using Stratus.Invocation;

namespace Stratus.Events;

/// <summary>
/// The firing half of the scheduler. Each tick is handed to <see cref="IAsyncInvocations"/> with the
/// key schedule name + tick, and only then stored as the schedule's last tick. After a crash between
/// the two, the tick is sent again at start and the async invocations' deduplication makes it run once.
/// </summary>
internal sealed partial class Scheduler
{
    /// <summary>The timer is re-armed at least this often, so a far-off tick needs no huge due time.</summary>
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromHours(1);

    /// <summary>Ticks handed over at once; more wait for the next round.</summary>
    private const int MaxConcurrentHandOvers = 4096;

    private readonly PriorityQueue<(Entry Entry, long Version), DateTimeOffset> _queue = new();
    private readonly List<(Entry Entry, DateTimeOffset Tick)> _pending = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _timer;
    private Task? _loop;
    private int _disposed;

    /// <summary>Loads the stored schedules and starts firing: ticks due while the server was down first.</summary>
    public void Start()
    {
        var stored = _store.LoadAll();
        int due;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var schedule in stored)
            {
                var definition = schedule.Definition;
                var entry = new Entry(definition, ScheduleExpression.Parse(definition.ScheduleExpression, definition.ScheduleExpressionTimezone))
                {
                    LastFiring = schedule.LastFiring,
                };
                _entries[definition.Name] = entry;
                Arm(entry, now);
            }

            due = _pending.Count;
        }

        Log.Loaded(_logger, stored.Count, due);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Plans an entry's ticks from the last one it fired (or its anchor): the first tick after that is
    /// sent even when it is overdue; of further overdue ticks, CATCH_UP_ONCE sends the latest and SKIP
    /// none; the first future tick goes into the queue. Called with the lock held.
    /// </summary>
    private void Arm(Entry entry, DateTimeOffset now)
    {
        entry.Version++;
        var definition = entry.Definition;
        if (definition.State != ScheduleState.Enabled)
        {
            return;
        }

        var last = entry.LastFiring is { } firing && firing.Tick > definition.Anchor ? firing.Tick : definition.Anchor;
        Plan(entry, last, now);
        Wake();
    }

    private void Plan(Entry entry, DateTimeOffset last, DateTimeOffset now)
    {
        var (expression, anchor) = (entry.Expression, entry.Definition.Anchor);
        if (expression.NextAfter(last, anchor) is not { } first)
        {
            return;
        }

        if (first > now)
        {
            _queue.Enqueue((entry, entry.Version), first);
            return;
        }

        _pending.Add((entry, first));
        if (entry.Definition.MissedTicks == MissedTicks.CatchUpOnce && expression.LastAtOrBefore(now, anchor) is { } latest && latest > first)
        {
            _pending.Add((entry, latest));
        }

        if (expression.NextAfter(now, anchor) is { } next)
        {
            _queue.Enqueue((entry, entry.Version), next);
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task RunAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var batch = TakeDue();
                if (batch.Count > 0)
                {
                    await FireAsync(batch);
                    continue;
                }

                await _wake.Reader.ReadAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, ex);
            throw;
        }
    }

    /// <summary>Takes every tick due now, plans the ticks after them and arms the timer for the next one.</summary>
    private List<(Entry Entry, DateTimeOffset Tick)> TakeDue()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var batch = new List<(Entry Entry, DateTimeOffset Tick)>(_pending);
            _pending.Clear();
            while (_queue.TryPeek(out var item, out var due) && due <= now)
            {
                _queue.Dequeue();
                if (item.Version != item.Entry.Version)
                {
                    continue;
                }

                batch.Add((item.Entry, due));
                Plan(item.Entry, due, now);
            }

            batch.AddRange(_pending);
            _pending.Clear();
            var hasNext = _queue.TryPeek(out _, out var head);
            var wait = hasNext ? head - now : Timeout.InfiniteTimeSpan;
            _timer.Change(wait > MaxTimerDue ? MaxTimerDue : wait, Timeout.InfiniteTimeSpan);

            // The timer counts from the clock as it reads when armed: if the clock moved past the head
            // since `now` was read, that due time lies beyond the tick, so look again at once.
            if (hasNext && _time.GetUtcNow() >= head)
            {
                Wake();
            }

            return batch;
        }
    }

    private async Task FireAsync(List<(Entry Entry, DateTimeOffset Tick)> batch)
    {
        // All at once: the event queue commits concurrent hand-overs together, so ten thousand ticks
        // due in the same second cost a few transactions, not ten thousand.
        var firings = new List<ScheduleFiring>(batch.Count);
        for (var start = 0; start < batch.Count; start += MaxConcurrentHandOvers)
        {
            var chunk = batch.GetRange(start, Math.Min(MaxConcurrentHandOvers, batch.Count - start));
            firings.AddRange(await Task.WhenAll(chunk.Select(due => FireAsync(due.Entry.Definition, due.Tick))));
        }

        try
        {
            _store.RecordFirings(firings);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            Log.StoreFailed(_logger, ex);
        }

        lock (_lock)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var entry = batch[i].Entry;
                if (entry.LastFiring is null || entry.LastFiring.Tick <= firings[i].Tick)
                {
                    entry.LastFiring = firings[i];
                }
            }
        }

        var last = firings[^1];
        Log.Fired(_logger, firings.Count, (last.EnqueuedAt - last.Tick).TotalMilliseconds);
        Fired?.Invoke(firings);
    }

    private async Task<ScheduleFiring> FireAsync(ScheduleDefinition schedule, DateTimeOffset tick)
    {
        var target = schedule.Target;
        var payload = target.Input is { } input
            ? System.Text.Encoding.UTF8.GetBytes(input)
            : ScheduledEvent.Create(_region, OwnerOf(schedule), schedule.Name, tick);
        var invocation = new AsyncEvent(target.FunctionName, target.Qualifier, payload, "schedule", ScheduledEvent.DeduplicationKey(schedule.Name, tick));
        try
        {
            var accepted = await _invocations.EnqueueAsync(invocation, _stop.Token);
            return new ScheduleFiring(schedule.Name, tick, _time.GetUtcNow(), accepted.RequestId, accepted.Duplicate, null);
        }
        catch (LambdaException ex)
        {
            // The function is gone or its qualifier unknown: the tick is spent and the error shown on the schedule.
            var error = $"{ex.ErrorType}: {ex.Message}";
            Log.TickFailed(_logger, schedule.Name, tick, error);
            return new ScheduleFiring(schedule.Name, tick, _time.GetUtcNow(), null, false, error);
        }
    }

    /// <summary>Stops the loop; both the hosted service and the container call it, so only the first call acts.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (Exception)
            {
                // Already logged by the loop.
            }
        }

        _timer.Dispose();
        _stop.Dispose();
    }
}
