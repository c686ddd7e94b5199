using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Api;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Hosting;
using Stratus.Storage;

namespace Stratus.Invocation;

/// <summary>
/// Runs the durable queue's events through the <see cref="Invoker"/> with Lambda's rules: a function
/// error is retried <c>MaximumRetryAttempts</c> times after growing delays; a throttle or system error
/// is retried with exponential backoff until the event is older than <c>MaximumEventAgeInSeconds</c>;
/// the outcome goes to the destinations and the dead-letter queue. A bounded number run at once.
/// </summary>
public sealed partial class AsyncDispatcher : IAsyncDisposable
{
    // Longer than any function may run (900 s), so a live server never loses an event it is running;
    // a starting server takes back every lease at once.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(16);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    // Deduplication keys guard against a sender repeating itself after a crash (a schedule re-sending
    // a tick): a week covers that with room to spare, and keeps the key table bounded.
    private static readonly TimeSpan KeepDeduplicationKeys = TimeSpan.FromDays(7);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly IAsyncEventStore _store;
    private readonly FunctionRegistry _registry;
    private readonly FunctionMapper _mapper;
    private readonly Invoker _invoker;
    private readonly EventInvokeConfigs _configs;
    private readonly AsyncDestinations _destinations;
    private readonly AsyncSignal _signal;
    private readonly TimeProvider _time;
    private readonly ILogger<AsyncDispatcher> _logger;
    private readonly TimeSpan _retryDelay;
    private readonly int _concurrency;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _running = [];
    private readonly Lock _lock = new();
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _pruned = DateTimeOffset.MinValue;
    private int _disposed;

    internal AsyncDispatcher(IAsyncEventStore store, FunctionRegistry registry, FunctionMapper mapper, Invoker invoker, EventInvokeConfigs configs, AsyncDestinations destinations, AsyncSignal signal, IOptions<StratusOptions> options, TimeProvider time, ILogger<AsyncDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _registry = registry;
        _mapper = mapper;
        _invoker = invoker;
        _configs = configs;
        _destinations = destinations;
        _signal = signal;
        _time = time;
        _logger = logger;
        _retryDelay = options.Value.AsyncRetryDelay;
        _concurrency = options.Value.AsyncConcurrency;
    }

    /// <summary>Raised after each run, once the queue holds the event's new state (for tests and metrics).</summary>
    public event Action<AsyncAttempt>? Settled;

    /// <summary>Takes back the leases a previous server left and starts running due events.</summary>
    public void Start()
    {
        _store.ReleaseLeases(_time.GetUtcNow());
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                int free;
                lock (_lock)
                {
                    free = _concurrency - _running.Count;
                }

                if (_time.GetUtcNow() - _pruned > PruneEvery)
                {
                    _pruned = _time.GetUtcNow();
                    _store.PruneDeduplicationKeys(_pruned - KeepDeduplicationKeys);
                }

                if (free > 0)
                {
                    var now = _time.GetUtcNow();
                    var leased = _store.Lease(now, now + Lease, free);
                    foreach (var queued in leased)
                    {
                        Track(queued);
                    }

                    if (leased.Count > 0)
                    {
                        continue;
                    }
                }

                // Full: a finishing run wakes the loop. Otherwise sleep until the next event is due.
                TimeSpan? wait = null;
                if (free > 0 && _store.NextDue() is { } due)
                {
                    wait = due - _time.GetUtcNow();
                    if (wait <= TimeSpan.Zero)
                    {
                        continue;
                    }
                }

                await _signal.WaitAsync(wait, _time, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                // The store is unwell (disk full, locked): events stay queued; try again shortly.
                Log.LoopFailed(_logger, ex);
                await Task.Delay(FirstBackoff, _time, CancellationToken.None);
            }
        }
    }

    private void Track(StoredEvent queued)
    {
        // Started under the lock, so a run that ends at once cannot be removed before it is added.
        Task task;
        lock (_lock)
        {
            task = Task.Run(() => RunAsync(queued));
            _running.Add(task);
        }

        task.ContinueWith(
            done =>
            {
                lock (_lock)
                {
                    _running.Remove(done);
                }

                _signal.Set();
            },
            TaskScheduler.Default);
    }

    private async Task RunAsync(StoredEvent queued)
    {
        try
        {
            await RunOnceAsync(queued);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Settling failed (a destination or the store): the event goes back with backoff, or, if
            // even that fails, keeps its lease and runs again after a restart or when the lease runs out.
            Log.RunFailed(_logger, queued.FunctionName, queued.RequestId, ex);
            try
            {
                _store.Reschedule(queued.Id, _time.GetUtcNow() + Backoff(queued.Throttles), queued.Attempts, queued.Invokes, queued.Throttles + 1);
            }
            catch (Exception again) when (again is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                Log.LoopFailed(_logger, again);
            }
        }
    }

    private static TimeSpan Backoff(int throttles) => TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(throttles, 20)));

    private async Task RunOnceAsync(StoredEvent queued)
    {
        var config = _configs.For(queued.FunctionName, queued.Qualifier);
        // An alias picks the version it runs now, when the event runs.
        if (!_registry.TryResolve(queued.FunctionName, queued.Qualifier, route: true, out var function))
        {
            Log.Dropped(_logger, queued.FunctionName, queued.RequestId);
            _store.Complete(queued.Id);
            Report(queued, AsyncAttempt.Dropped, null, queued.Invokes, null, default);
            return;
        }

        if (_time.GetUtcNow() - queued.AcceptedAt > config.MaximumEventAge)
        {
            await FailAsync(queued, function, config, DestinationRecord.EventAgeExceeded, queued.Invokes, null);
            return;
        }

        InvocationResult result;
        try
        {
            result = await _invoker.InvokeAsync(function, new InvocationRequest(queued.RequestId, queued.Payload)
            {
                InvokedFunctionArn = _mapper.InvokedArn(function.Name, queued.Qualifier),
                Trigger = queued.Source == "schedule" ? "schedule" : "event",
                // Retries keep the request id; the run's number tells their records apart.
                Attempt = queued.Invokes + 1,
            });
        }
        catch (Exception ex) when (ex is LambdaException or InvalidOperationException or IOException)
        {
            // Throttled (429) or the platform failed: not the function's fault, so no attempt is used.
            var at = _time.GetUtcNow() + Backoff(queued.Throttles);
            Log.Throttled(_logger, function.Name, queued.RequestId, ex.Message);
            _store.Reschedule(queued.Id, at, queued.Attempts, queued.Invokes, queued.Throttles + 1);
            Report(queued, AsyncAttempt.Throttled, null, queued.Invokes, at, default);
            return;
        }

        var invokes = queued.Invokes + 1;
        if (result.FunctionError is null)
        {
            await _destinations.SendRecordAsync(queued, config.OnSuccess, DestinationRecord.Success, invokes, result);
            _store.Complete(queued.Id);
            Report(queued, AsyncAttempt.Succeeded, DestinationRecord.Success, invokes, null, result.Payload);
            return;
        }

        var attempts = queued.Attempts + 1;
        if (attempts > config.RetryAttempts)
        {
            await FailAsync(queued, function, config, DestinationRecord.RetriesExhausted, invokes, result);
            return;
        }

        // Lambda waits about a minute before the first retry and two before the second.
        var retryAt = _time.GetUtcNow() + (_retryDelay * attempts);
        Log.Retrying(_logger, function.Name, queued.RequestId, attempts);
        _store.Reschedule(queued.Id, retryAt, attempts, invokes, 0);
        Report(queued, AsyncAttempt.Retrying, null, invokes, retryAt, result.Payload);
    }

    private async Task FailAsync(StoredEvent queued, FunctionDefinition function, EventInvokeConfig config, string condition, int invokes, InvocationResult? result)
    {
        Log.Failed(_logger, function.Name, queued.RequestId, condition);
        await _destinations.SendRecordAsync(queued, config.OnFailure, condition, invokes, result);
        await _destinations.SendDeadLetterAsync(queued, function.DeadLetterTargetArn, result, condition);
        _store.Complete(queued.Id);
        Report(queued, AsyncAttempt.Failed, condition, invokes, null, result?.Payload ?? default);
    }

    private void Report(StoredEvent queued, string outcome, string? condition, int invokes, DateTimeOffset? retryAt, ReadOnlyMemory<byte> response) =>
        Settled?.Invoke(new AsyncAttempt(queued.RequestId, queued.FunctionName, outcome, condition, invokes, retryAt, response));

    /// <summary>Stops taking events and waits for the running ones; what is left stays queued for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        // The server stops it before the engine; the container disposes it again at the end.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _loop;
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running);
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(50, LogLevel.Information, "Event {RequestId} of {Function} failed in the function; retry {Attempt} is scheduled")]
        public static partial void Retrying(ILogger logger, string function, string requestId, int attempt);

        [LoggerMessage(51, LogLevel.Information, "Event {RequestId} of {Function} could not run now ({Reason}); it will be retried")]
        public static partial void Throttled(ILogger logger, string function, string requestId, string reason);

        [LoggerMessage(52, LogLevel.Warning, "Event {RequestId} of {Function} failed for good: {Condition}")]
        public static partial void Failed(ILogger logger, string function, string requestId, string condition);

        [LoggerMessage(53, LogLevel.Warning, "Event {RequestId} dropped: function {Function} no longer exists")]
        public static partial void Dropped(ILogger logger, string function, string requestId);

        [LoggerMessage(54, LogLevel.Error, "Event {RequestId} of {Function} could not be settled; it stays queued")]
        public static partial void RunFailed(ILogger logger, string function, string requestId, Exception exception);

        [LoggerMessage(55, LogLevel.Error, "The async event queue could not be read; retrying")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
