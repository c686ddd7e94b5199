using System.Diagnostics.Metrics;
using Stratus.Events.Mappings;
using Stratus.Execution;
using Stratus.Storage;

namespace Stratus.Observability;

/// <summary>
/// Gauges read when <c>/metrics</c> is scraped, not kept on the hot path: instances by state, the
/// durable async queue's depth and the age of its oldest event, and the messages waiting in the
/// queue behind each function's event source mappings (their lag).
/// </summary>
internal sealed class PlatformGauges
{
    private static readonly string[] Waiting = ["ApproximateNumberOfMessages"];
    private readonly ExecutionEngine _engine;
    private readonly IAsyncEventStore _events;
    private readonly EventSourceMappings _mappings;
    private readonly FunctionLabels _labels;
    private readonly Functions.FunctionRegistry _registry;
    private readonly TimeProvider _time;

    public PlatformGauges(Meter meter, ExecutionEngine engine, IAsyncEventStore events, EventSourceMappings mappings, Functions.FunctionRegistry registry, FunctionLabels labels, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _engine = engine;
        _events = events;
        _mappings = mappings;
        _labels = labels;
        _registry = registry;
        _time = time;
        meter.CreateObservableGauge("stratus.instances", ObserveInstances, null, "Instances of the function by state (starting, idle, busy)");
        meter.CreateObservableGauge("stratus.async.queue.depth", ObserveDepth, null, "Asynchronous events accepted and not yet done (waiting, running or waiting for a retry)");
        meter.CreateObservableGauge("stratus.async.queue.oldest_age", ObserveAge, "s", "Age of the oldest asynchronous event not yet done (0 when none)");
        meter.CreateObservableGauge("stratus.event_source.backlog", ObserveBacklog, null, "Messages waiting in the queues the function's event source mappings read (their lag)");
    }

    private IEnumerable<Measurement<int>> ObserveInstances()
    {
        // Functions folded into "other" add up under that one label.
        var totals = new Dictionary<FunctionTags, (int Starting, int Idle, int Busy)>();
        foreach (var (function, instances) in _engine.InstancesByFunction())
        {
            var tags = _labels.For(function.AccountId, function.FunctionName);
            var sum = totals.GetValueOrDefault(tags);
            totals[tags] = (sum.Starting + instances.Starting, sum.Idle + instances.Idle, sum.Busy + instances.Busy);
        }

        foreach (var (tags, instances) in totals)
        {
            yield return State(tags, "starting", instances.Starting);
            yield return State(tags, "idle", instances.Idle);
            yield return State(tags, "busy", instances.Busy);
        }
    }

    private static Measurement<int> State(FunctionTags tags, string state, int count) =>
        new(count, [tags.Tags[0], tags.Tags[1], new("state", state)]);

    private Measurement<long> ObserveDepth() => new(_events.Backlog().Events);

    private Measurement<double> ObserveAge()
    {
        var oldest = _events.Backlog().OldestAcceptedAt;
        return new(oldest is { } accepted ? Math.Max(0, (_time.GetUtcNow() - accepted).TotalSeconds) : 0);
    }

    private IEnumerable<Measurement<long>> ObserveBacklog()
    {
        var totals = new Dictionary<FunctionTags, long>();
        foreach (var mapping in _mappings.List(null, null))
        {
            // A disabled mapping's queue counts too: what piles up there is lag all the same.
            if (!_registry.TryGet(mapping.FunctionName, out var function)
                || !Events.Queues.QueueArn.TryParse(mapping.EventSourceArn, out var queue, _mappings.Queues.AccountId))
            {
                continue;
            }

            long waiting;
            try
            {
                waiting = long.Parse(_mappings.Queues.GetAttributes(queue, Waiting)["ApproximateNumberOfMessages"], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Events.Queues.SqsException)
            {
                // The queue was deleted under the mapping: nothing waits in it.
                continue;
            }

            var tags = _labels.For(function.AccountId, function.FunctionName);
            totals[tags] = totals.GetValueOrDefault(tags) + waiting;
        }

        foreach (var (tags, waiting) in totals)
        {
            yield return new Measurement<long>(waiting, tags.Tags);
        }
    }
}
