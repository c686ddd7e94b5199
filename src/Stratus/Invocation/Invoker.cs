using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Billing;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Hosting;
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
    private readonly UsageLedger _usage;
    private readonly bool _metering;
    private readonly SpendingCaps _caps;
    private readonly InvocationTelemetry _telemetry;
    private readonly bool _captureLogs;

    internal Invoker(ExecutionEngine engine, LogSink logs, UsageLedger usage, SpendingCaps caps, InvocationTelemetry telemetry, IOptions<StratusOptions> options, TimeProvider time, ILogger<Invoker> logger, InvocationSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(caps);
        ArgumentNullException.ThrowIfNull(telemetry);
        _series = series;
        _caps = caps;
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        _logs = logs;
        _usage = usage;
        _metering = options.Value.Metering;
        _telemetry = telemetry;
        _captureLogs = options.Value.Observability.LogCapture;
        _time = time;
        _logger = logger;
    }

    public async Task<InvocationResult> InvokeAsync(FunctionDefinition function, InvocationRequest invocation)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(invocation);
        if (_metering)
        {
            // An account over its spending cap is throttled before anything runs (an in-memory check).
            _caps.ThrowIfOverCap(function.AccountId);
        }

        var tags = _telemetry.Begin(function, invocation);
        InvocationResult result;
        try
        {
            result = await _engine.InvokeAsync(function, invocation);
        }
        catch (Api.LambdaException ex) when (ex.StatusCode == Microsoft.AspNetCore.Http.StatusCodes.Status429TooManyRequests)
        {
            _telemetry.Throttled(tags, function, invocation);
            throw;
        }
        catch (Exception ex)
        {
            _telemetry.Failed(tags, function, invocation, ex);
            throw;
        }

        _telemetry.Completed(tags, function, invocation, result);
        if (_captureLogs && result.Log.Length > 0)
        {
            _logs.Append(new LogRecord(function.Name, invocation.RequestId, _time.GetUtcNow(), result.Log, invocation.LogStream));
        }

        _series.Record(function.Name, result.Log, result.FunctionError is not null);

        // An invocation that got a result ran (a throttle throws above and is never metered). The
        // record is journalled before the reply is released: a reply the caller received always has
        // its record, even if the server is killed right after.
        if (_metering)
        {
            var record = ToRecord(function, invocation, result.Metrics);
            _usage.Append(record);
            _caps.Add(record);
        }

        return result;
    }

    private UsageRecord ToRecord(FunctionDefinition function, InvocationRequest invocation, InvocationMetrics? metrics) => new(
        function.AccountId,
        function.FunctionName,
        function.Version,
        invocation.RequestId,
        invocation.Attempt,
        invocation.Trigger,
        // No instance ran it to the end (its init failed, or the server stopped under it): a record
        // with nothing billed, so the ledger still shows every invocation that was started.
        metrics ?? new InvocationMetrics(_time.GetUtcNow(), 0, 0, -1, function.MemorySize, 0, 0, InvocationOutcome.Crash))
    {
        Runtime = function.Runtime,
    };
}
