using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Observability.Otlp;

namespace Stratus.Observability;

/// <summary>
/// What every invocation reports: its metrics (OpenTelemetry instruments, exported at <c>/metrics</c>)
/// and, when an OTLP endpoint is set, its span: the function is told the span's id as it starts, and
/// the span, with its phases (queue wait, init on a cold start, run) from the times the instance
/// measured, is handed to the <see cref="TraceExporter"/> when it ends. The invoker calls it for
/// every kind of invocation, so sync, async, URL and queue invocations count alike.
/// </summary>
internal sealed class InvocationTelemetry
{
    public const string Name = "Stratus";

    // Seconds: from a warm node hello (under a millisecond) to Lambda's 900 s timeout.
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

    private const double MegabyteMillisecondsPerGbSecond = 1_024_000;

    private readonly bool _metrics;
    private readonly TraceExporter? _traces;
    private readonly TimeProvider _time;
    private readonly TraceSampling _sampling;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _initDuration;

    public InvocationTelemetry(Meter meter, ObservabilityOptions options, TimeProvider time, TraceExporter? traces)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _metrics = options.Metrics != MetricsAccess.Off;
        _traces = traces;
        _time = time;
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
        if (traces is not null)
        {
            meter.CreateObservableCounter("stratus.trace.dropped", () => traces.Dropped, null, "Traced invocations left out of the exported traces: the export buffer was full or the collector failed");
        }
    }

    public FunctionLabels Labels { get; }

    /// <summary>
    /// Begins an invocation: its labels, and, when it is traced, its span's ids (which the function is
    /// told) and start.
    /// </summary>
    public FunctionTags? Begin(FunctionDefinition function, InvocationRequest invocation)
    {
        var tags = _metrics ? Labels.For(function.AccountId, function.FunctionName) : null;
        tags?.Began();
        var parent = invocation.ParentTrace;
        if (_traces is null)
        {
            invocation.Trace = parent;
        }
        else if (!_sampling.Records(parent) || !StartSpan(invocation, parent))
        {
            // An invocation whose caller's trace is not recorded here makes no span: the function joins
            // the caller's trace under the caller's span, marked as not sampled.
            invocation.Trace = TraceSampling.NotSampled(parent);
        }

        return tags;
    }

    public void Throttled(FunctionTags? tags, FunctionDefinition function, InvocationRequest invocation)
    {
        if (tags is not null)
        {
            tags.Ended();
            Interlocked.Increment(ref tags.Throttles);
        }

        EndSpan(function, invocation, null, "TooManyRequestsException");
    }

    public void Failed(FunctionTags? tags, FunctionDefinition function, InvocationRequest invocation, Exception error)
    {
        tags?.Ended();
        EndSpan(function, invocation, null, error.GetType().Name);
    }

    public void Completed(FunctionTags? tags, FunctionDefinition function, InvocationRequest invocation, InvocationResult result)
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

        EndSpan(function, invocation, metrics, result.FunctionError);
    }

    // The invocation's span: under the caller's, or the root of a trace of its own when the id it
    // draws falls within the sample ratio.
    private bool StartSpan(InvocationRequest invocation, in ActivityContext parent)
    {
        Span<byte> id = stackalloc byte[16];
        ActivityTraceId traceId;
        if (parent.TraceId == default)
        {
            OtlpTraceEncoder.NewId(id);
            if (!_sampling.Within(id))
            {
                return false;
            }

            traceId = ActivityTraceId.CreateFromBytes(id);
        }
        else
        {
            traceId = parent.TraceId;
        }

        OtlpTraceEncoder.NewId(id[..8]);
        invocation.Trace = new ActivityContext(traceId, ActivitySpanId.CreateFromBytes(id[..8]), ActivityTraceFlags.Recorded, parent.TraceState);
        invocation.TracedAt = _time.GetUtcNow();
        return true;
    }

    private void EndSpan(FunctionDefinition function, InvocationRequest invocation, InvocationMetrics? metrics, string? error)
    {
        if (_traces is null || invocation.TracedAt == default)
        {
            return;
        }

        Span<byte> ids = stackalloc byte[16];
        invocation.Trace.TraceId.CopyTo(ids);
        var span = new InvocationSpan
        {
            TraceHigh = BinaryPrimitives.ReadUInt64BigEndian(ids),
            TraceLow = BinaryPrimitives.ReadUInt64BigEndian(ids[8..]),
            TraceState = invocation.Trace.TraceState,
            Function = function,
            Trigger = invocation.Trigger,
            StartTicks = invocation.TracedAt.UtcTicks,
            EndTicks = _time.GetUtcNow().UtcTicks,
            Waited = invocation.EnqueuedAt != 0,
            Error = error,
        };
        // A span id fills exactly eight bytes.
        invocation.Trace.SpanId.CopyTo(ids[..8]);
        span.SpanId = BinaryPrimitives.ReadUInt64BigEndian(ids);
        if (invocation.ParentTrace.SpanId != default)
        {
            invocation.ParentTrace.SpanId.CopyTo(ids[..8]);
            span.ParentSpanId = BinaryPrimitives.ReadUInt64BigEndian(ids);
        }

        // Kept as a GUID only when it is written back the same way: lower-case, with hyphens.
        if (invocation.RequestId.AsSpan().ContainsAnyInRange('A', 'F') || !Guid.TryParseExact(invocation.RequestId, "D", out span.RequestId))
        {
            span.RequestIdText = invocation.RequestId;
        }

        if (metrics is not null)
        {
            span.Ran = true;
            span.RunStartTicks = metrics.StartedAt.UtcTicks;
            span.DurationMs = metrics.DurationMs;
            span.InitDurationMs = metrics.InitDurationMs;
        }

        _traces.Add(span);
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
