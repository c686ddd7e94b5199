using Microsoft.Extensions.Logging;
using Stratus.Api;
using Stratus.Events.Queues;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Invocation;
using Stratus.Storage;

namespace Stratus.Events.Mappings;

/// <summary>
/// Runs one enabled mapping: receives batches from its queue (waiting up to the batching window to
/// fill one), invokes the function with each, and deletes what succeeded. Batches run side by side up
/// to the mapping's maximum concurrency, so the poller scales out while batches keep coming.
/// </summary>
internal sealed partial class QueuePoller : IAsyncDisposable
{
    /// <summary>Batches in flight at once when the mapping sets no ScalingConfig.</summary>
    public const int DefaultConcurrency = 100;

    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(QueueLimits.MaxWaitSeconds);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly EventSourceMapping _mapping;
    private readonly string _queue;
    private readonly PollerServices _services;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots;
    private readonly HashSet<Task> _batches = [];
    private readonly Lock _lock = new();
    private Task _loop = Task.CompletedTask;

    public QueuePoller(EventSourceMapping mapping, string queue, PollerServices services)
    {
        _mapping = mapping;
        _queue = queue;
        _services = services;
        _slots = new SemaphoreSlim(mapping.MaximumConcurrency ?? DefaultConcurrency);
    }

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(token);
                IReadOnlyList<StoredMessage> batch;
                try
                {
                    batch = await ReceiveBatchAsync(token);
                }
                catch
                {
                    _slots.Release();
                    throw;
                }

                if (batch.Count == 0)
                {
                    _slots.Release();
                    continue;
                }

                Track(Task.Run(() => ProcessAsync(batch, token)));
                backoff = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
            {
                // The queue is gone or the store is busy: try again later rather than spin, and keep the
                // mapping alive whatever went wrong.
                Log.ReceiveFailed(_services.Logger, _mapping.Uuid, ex.Message);
                await Delay(backoff, token);
                backoff = Next(backoff);
            }
        }
    }

    private async Task<IReadOnlyList<StoredMessage>> ReceiveBatchAsync(CancellationToken token)
    {
        var queues = _services.Queues;
        var first = await queues.ReceiveAsync(_queue, _mapping.BatchSize, null, LongPoll, token);
        if (first.Count == 0 || first.Count >= _mapping.BatchSize || _mapping.MaximumBatchingWindowInSeconds == 0)
        {
            return first;
        }

        var batch = first.ToList();
        var deadline = _services.Time.GetUtcNow().AddSeconds(_mapping.MaximumBatchingWindowInSeconds);
        while (batch.Count < _mapping.BatchSize && _services.Time.GetUtcNow() is var now && now < deadline)
        {
            batch.AddRange(await queues.ReceiveAsync(_queue, _mapping.BatchSize - batch.Count, null, deadline - now, token));
        }

        return batch;
    }

    private async Task ProcessAsync(IReadOnlyList<StoredMessage> batch, CancellationToken token)
    {
        try
        {
            var function = _services.Registry.Get(_mapping.FunctionName, _services.Mapper.Arn(_mapping.FunctionName));
            var payload = SqsEvent.Build(batch, _mapping.EventSourceArn, _services.Queues.Region);
            var result = await InvokeAsync(function, payload, token);
            if (result.FunctionError is not null)
            {
                // The batch stays in flight: it comes back after the visibility timeout, and redrive
                // takes a message that keeps failing to the dead-letter queue.
                Log.BatchFailed(_services.Logger, _mapping.Uuid, batch.Count);
                return;
            }

            var failed = _mapping.ReportBatchItemFailures ? SqsEvent.Failures(result.Payload, batch) : [];
            if (failed is null)
            {
                Log.InvalidBatchResponse(_services.Logger, _mapping.Uuid);
                return;
            }

            foreach (var message in batch)
            {
                if (!failed.Contains(message.Id))
                {
                    _services.Queues.DeleteMessage(_queue, message.Handle.ToString());
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: the messages return to the queue after their visibility timeout.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever failed, the batch stays in flight and returns after the visibility timeout.
            Log.BatchError(_services.Logger, _mapping.Uuid, ex.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Invokes the function; a throttled invoke backs off and tries again.</summary>
    private async Task<InvocationResult> InvokeAsync(FunctionDefinition function, byte[] payload, CancellationToken token)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                return await _services.Invoker.InvokeAsync(function, new InvocationRequest(Invocation.RequestIds.New(), payload)
                {
                    InvokedFunctionArn = _services.Mapper.InvokedArn(function.Name, null),
                    Trigger = "queue",
                });
            }
            catch (LambdaException ex) when (ex.StatusCode == 429)
            {
                await Delay(backoff, token);
                backoff = Next(backoff);
            }
        }
    }

    private Task Delay(TimeSpan delay, CancellationToken token) => Task.Delay(delay, _services.Time, token);

    private static TimeSpan Next(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));

    private void Track(Task task)
    {
        lock (_lock)
        {
            _batches.Add(task);
        }

        task.ContinueWith(
            done =>
            {
                lock (_lock)
                {
                    _batches.Remove(done);
                }
            },
            TaskScheduler.Default);
    }

    /// <summary>Stops receiving and waits for the batches in flight to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Task[] running;
        lock (_lock)
        {
            running = [.. _batches];
        }

        await Task.WhenAll(running);
        _stop.Dispose();
        _slots.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(80, LogLevel.Warning, "Event source mapping {Uuid} could not receive: {Reason}")]
        public static partial void ReceiveFailed(ILogger logger, string uuid, string reason);

        [LoggerMessage(81, LogLevel.Information, "Event source mapping {Uuid}: the function failed a batch of {Count}; it returns after the visibility timeout")]
        public static partial void BatchFailed(ILogger logger, string uuid, int count);

        [LoggerMessage(82, LogLevel.Warning, "Event source mapping {Uuid}: the function returned an invalid batchItemFailures response; the whole batch failed")]
        public static partial void InvalidBatchResponse(ILogger logger, string uuid);

        [LoggerMessage(83, LogLevel.Warning, "Event source mapping {Uuid} could not process a batch: {Reason}")]
        public static partial void BatchError(ILogger logger, string uuid, string reason);
    }
}

/// <summary>What every poller uses.</summary>
internal sealed record PollerServices(QueueService Queues, FunctionRegistry Registry, FunctionMapper Mapper, Invoker Invoker, TimeProvider Time, ILogger Logger);
