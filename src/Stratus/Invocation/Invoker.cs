using Microsoft.Extensions.Logging;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Observability;
using Stratus.Storage;

namespace Stratus.Invocation;

/// <summary>
/// Runs invocations for every caller (the Invoke API, the async event dispatcher; queues later): picks
/// the instance through the engine and records the log. Asynchronous invocations reach it through the
/// durable queue (<see cref="IAsyncInvocations"/>, <see cref="AsyncDispatcher"/>).
/// </summary>
public sealed class Invoker
{
    private readonly ExecutionEngine _engine;
    private readonly LogSink _logs;
    private readonly TimeProvider _time;
    private readonly ILogger<Invoker> _logger;
    private readonly InvocationSeries _series;

    public Invoker(ExecutionEngine engine, LogSink logs, TimeProvider time, ILogger<Invoker> logger, InvocationSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        _series = series;
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
            _logs.Append(new LogRecord(function.Name, invocation.RequestId, _time.GetUtcNow(), result.Log, invocation.LogStream));
        }

        _series.Record(function.Name, result.Log, result.FunctionError is not null);

        return result;
    }
}
