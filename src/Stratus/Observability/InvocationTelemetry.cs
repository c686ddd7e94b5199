using System.Diagnostics;
using System.Diagnostics.Metrics;
using Stratus.Execution;
using Stratus.Functions;

namespace Stratus.Observability;

/// <summary>
/// What every invocation reports: its metrics (OpenTelemetry instruments, exported at <c>/metrics</c>)
/// and, when something listens, its spans: the invocation, then its phases (queue wait, init on a
/// cold start, run) from the times the instance measured. The invoker calls it for every kind of
/// invocation, so sync, async, URL and queue invocations count alike.
/// </summary>
internal sealed class InvocationTelemetry
{
    public const string Name = "Stratus";

    /// <summary>Spans of invocations; StartActivity returns null (and costs next to nothing) while nobody listens.</summary>
    public static readonly ActivitySource Source = new(Name);

    // Seconds: from a warm node hello (under a millisecond) to Lambda's 900 s timeout.
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

    private const double MegabyteMillisecondsPerGbSecond = 1_024_000;

    private readonly bool _metrics;
    private readonly bool _tracing;
    private readonly TraceSampling _sampling;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _initDuration;

    public InvocationTelemetry(Meter meter, ObservabilityOptions options)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(options);
        _metrics = options.Metrics != MetricsAccess.Off;
        _tracing = options.Tracing;
        _sampling = new TraceSampling(options.TraceSampleRatio);
        Labels = new FunctionLabels(options.FunctionLabelLimit);
        // Counters are counted per label value (FunctionTags) and observed at each scrape; the
        // histograms need the SDK's buckets and are recorded per invocation.
        meter.CreateObservableCounter("stratus.invocations", () => Observe(static tags => tags.Invocations), null, "Invocations that ran or failed to start (throttles not included)");
        meter.CreateObservableCounter("stratus.invocation.errors", () => Observe(static tags => tags.Errors), null, "Invocations that ended in a function error, timeout or crash");
        meter.CreateObservableCounter("stratus.throttles", () => Observe(static tags => tags.Throttles), null, "Invocations refused with TooManyRequestsException");
        meter.CreateObservableCounter("stratus.cold_starts", () => Observe(static tags => tags.ColdStarts), null, "Invocations that waited for a new instance to initialise");
        meter.CreateObservableCounter("stratus.warm_starts", () => Observe(static tags => tags.WarmStarts), null, "Invocations run by an instance that was already initialised");
        meter.CreateObservableCounter("stratus.billed.gb_seconds", ObserveGbSeconds, null, "Billed duration times memory size, as the REPORT lines and the usage ledger show it");
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _duration = meter.CreateHistogram("stratus.invocation.duration", "s", "Duration of invocations, as their REPORT lines show it", tags: null, buckets);
        _initDuration = meter.CreateHistogram("stratus.init.duration", "s", "Init duration of cold starts", tags: null, buckets);
        meter.CreateObservableGauge("stratus.concurrent_executions", ObserveInFlight, null, "Invocations of the function running or waiting for an instance now");
    }

    public FunctionLabels Labels { get; }

    /// <summary>
    /// Begins an invocation: its labels, and its span when traces are on and exported (made current,
    /// so the invocation's trace id reaches the runtime).
    /// </summary>
    public (FunctionTags? Tags, Activity? Activity) Begin(FunctionDefinition function, InvocationRequest invocation)
    {
        var tags = _metrics ? Labels.For(function.AccountId, function.FunctionName) : null;
        tags?.Began();
        var parent = invocation.ParentTrace;
        var activity = _tracing && _sampling.Records(parent) ? StartActivity(function, invocation) : null;
        // An invocation whose caller's trace is not recorded here makes no span: the function joins
        // the caller's trace under the caller's span, marked as not sampled.
        invocation.Trace = activity?.Context ?? (_tracing ? TraceSampling.NotSampled(parent) : parent);
        return (tags, activity);
    }

    public static void Throttled(FunctionTags? tags, Activity? activity)
    {
        if (tags is not null)
        {
            tags.Ended();
            Interlocked.Increment(ref tags.Throttles);
        }

        activity?.SetStatus(ActivityStatusCode.Error, "TooManyRequestsException");
    }

    public static void Failed(FunctionTags? tags, Activity? activity, Exception error)
    {
        tags?.Ended();
        activity?.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
    }

    public void Completed(FunctionTags? tags, Activity? activity, InvocationRequest invocation, InvocationResult result)
    {
        var metrics = result.Metrics;
        if (tags is not null)
        {
            tags.Ended();
            var labels = tags.Tags;
            Interlocked.Increment(ref tags.Invocations);
            if (result.FunctionError is not null)
            {
                Interlocked.Increment(ref tags.Errors);
            }

            if (metrics is not null)
            {
                if (metrics.InitDurationMs >= 0)
                {
                    Interlocked.Increment(ref tags.ColdStarts);
                    _initDuration.Record(metrics.InitDurationMs / 1000, labels);
                }
                else
                {
                    Interlocked.Increment(ref tags.WarmStarts);
                }

                _duration.Record(metrics.DurationMs / 1000, labels);
                Interlocked.Add(ref tags.BilledMegabyteMilliseconds, metrics.BilledMs * metrics.MemorySizeMb);
            }
        }

        if (activity is not null)
        {
            Spans.End(activity, result, metrics, invocation.EnqueuedAt != 0);
        }
    }

    private static Activity? StartActivity(FunctionDefinition function, InvocationRequest invocation)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // Named after the function, as OpenTelemetry's FaaS conventions ask (and without allocating a name).
        var activity = Source.StartActivity(function.FunctionName, ActivityKind.Server, invocation.ParentTrace);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("faas.name", function.FunctionName);
            activity.SetTag("faas.version", function.Version);
            activity.SetTag("faas.invocation_id", invocation.RequestId);
            activity.SetTag("faas.trigger", invocation.Trigger);
            activity.SetTag("cloud.account.id", function.AccountId);
        }

        return activity;
    }

    // Label values with nothing counted yet are left out, as the SDK leaves out a counter never added to.
    private IEnumerable<Measurement<long>> Observe(Func<FunctionTags, long> count)
    {
        foreach (var tags in Labels.All)
        {
            var value = count(tags);
            if (value != 0)
            {
                yield return new Measurement<long>(value, tags.Tags);
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveGbSeconds()
    {
        foreach (var tags in Labels.All)
        {
            var value = Interlocked.Read(ref tags.BilledMegabyteMilliseconds);
            if (value != 0)
            {
                yield return new Measurement<double>(value / MegabyteMillisecondsPerGbSecond, tags.Tags);
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveInFlight()
    {
        foreach (var tags in Labels.All)
        {
            yield return new Measurement<long>(tags.InFlight, tags.Tags);
        }
    }
}
