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
    private readonly UsageLedger _usage;
    private readonly string _accountId;
    private readonly InvocationTelemetry _telemetry;
    private readonly bool _captureLogs;

    internal Invoker(ExecutionEngine engine, LogSink logs, UsageLedger usage, InvocationTelemetry telemetry, IOptions<StratusOptions> options, TimeProvider time, ILogger<Invoker> logger)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        _logs = logs;
        _usage = usage;
        _accountId = options.Value.AccountId;
        _telemetry = telemetry;
        _captureLogs = options.Value.Observability.LogCapture;
        _time = time;
        _logger = logger;
    }

    public async Task<InvocationResult> InvokeAsync(FunctionDefinition function, InvocationRequest invocation)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(invocation);
        var (tags, activity) = _telemetry.Begin(function, invocation);
        InvocationResult result;
        try
        {
            result = await _engine.InvokeAsync(function, invocation);
        }
        catch (Api.LambdaException ex) when (ex.StatusCode == Microsoft.AspNetCore.Http.StatusCodes.Status429TooManyRequests)
        {
            _telemetry.Throttled(tags, activity);
            activity?.Dispose();
            throw;
        }
        catch (Exception ex)
        {
            InvocationTelemetry.Failed(tags, activity, ex);
            activity?.Dispose();
            throw;
        }

        _telemetry.Completed(tags, activity, invocation, result);
        activity?.Dispose();
        if (_captureLogs && result.Log.Length > 0)
        {
            _logs.Append(new LogRecord(function.Name, invocation.RequestId, _time.GetUtcNow(), result.Log));
        }

        // An invocation that got a result ran (a throttle throws above and is never metered). The
        // reply waits for the record's batch to be committed: a reply the caller received always has
        // its record, even if the server dies right after.
        await _usage.AppendAsync(ToRecord(function, invocation, result.Metrics));
        return result;
    }

    private UsageRecord ToRecord(FunctionDefinition function, InvocationRequest invocation, InvocationMetrics? metrics) => new(
        _accountId,
        function.Name,
        function.Version,
        invocation.RequestId,
        invocation.Attempt,
        invocation.Trigger,
        // No instance ran it to the end (its init failed, or the server stopped under it): a record
        // with nothing billed, so the ledger still shows every invocation that was started.
        metrics ?? new InvocationMetrics(_time.GetUtcNow(), 0, 0, -1, function.MemorySize, 0, 0, InvocationOutcome.Crash));
}
