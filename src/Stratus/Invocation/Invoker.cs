using Microsoft.Extensions.Logging;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Observability;
using Stratus.Storage;

namespace Stratus.Invocation;

/// <summary>
/// Runs invocations for every caller (the Invoke API now; queues and schedules later): picks the
/// instance through the engine, records the log, and tracks background (Event) invocations so a
/// stopping server waits for them.
/// </summary>
public sealed partial class Invoker : IAsyncDisposable
{
    private readonly ExecutionEngine _engine;
    private readonly LogSink _logs;
    private readonly TimeProvider _time;
    private readonly ILogger<Invoker> _logger;
    private readonly HashSet<Task> _background = [];
    private readonly Lock _lock = new();

    public Invoker(ExecutionEngine engine, LogSink logs, TimeProvider time, ILogger<Invoker> logger)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(logs);
        _engine = engine;
        _logs = logs;
        _time = time;
        _logger = logger;
    }

    public async Task<InvocationResult> InvokeAsync(FunctionDefinition function, InvocationRequest invocation)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(invocation);
        var result = await _engine.InvokeAsync(function, invocation);
        if (result.Log.Length > 0)
        {
            _logs.Append(new LogRecord(function.Name, invocation.RequestId, _time.GetUtcNow(), result.Log));
        }

        return result;
    }

    /// <summary>Starts an invocation in the background (InvocationType Event).</summary>
    public void Enqueue(FunctionDefinition function, InvocationRequest invocation)
    {
        var task = Task.Run(async () =>
        {
            // An accepted event is not dropped because capacity is short right now: it waits and retries.
            var backoff = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                try
                {
                    var result = await InvokeAsync(function, invocation);
                    if (result.FunctionError is not null)
                    {
                        Log.AsyncFailed(_logger, function.Name, invocation.RequestId);
                    }

                    return;
                }
                catch (Api.LambdaException ex) when (ex.StatusCode == 429)
                {
                    await Task.Delay(backoff, _time);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Log.AsyncError(_logger, function.Name, invocation.RequestId, ex);
                    return;
                }
            }
        });
        lock (_lock)
        {
            _background.Add(task);
        }

        task.ContinueWith(
            done =>
            {
                lock (_lock)
                {
                    _background.Remove(done);
                }
            },
            TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _background];
        }

        await Task.WhenAll(pending);
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Information, "Event invocation {RequestId} of {Function} failed in the function")]
        public static partial void AsyncFailed(ILogger logger, string function, string requestId);

        [LoggerMessage(31, LogLevel.Error, "Event invocation {RequestId} of {Function} could not run")]
        public static partial void AsyncError(ILogger logger, string function, string requestId, Exception exception);
    }
}
