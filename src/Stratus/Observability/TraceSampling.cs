using System.Buffers.Binary;
using System.Diagnostics;

namespace Stratus.Observability;

/// <summary>
/// Whether an invocation that carries a caller's trace is recorded, decided before any span is made:
/// a caller that did not sample is never recorded, and of those that did, the share given by
/// <c>--trace-sample-ratio</c>, by the same rule as OpenTelemetry's trace-id ratio sampler (the
/// first eight bytes of the trace id against the ratio), so every server of a trace agrees. An
/// invocation that begins a trace is decided by the id it is given, by the same rule.
/// </summary>
internal sealed class TraceSampling
{
    private readonly bool _all;
    private readonly long _bound;

    public TraceSampling(double ratio)
    {
        _all = ratio >= 1;
        _bound = ratio <= 0 ? long.MinValue : (long)(ratio * long.MaxValue);
    }

    /// <summary>True when an invocation under <paramref name="parent"/> is recorded; one without a caller's trace is decided by its own id (<see cref="Within"/>).</summary>
    public bool Records(in ActivityContext parent)
    {
        if (parent.TraceId == default)
        {
            return true;
        }

        if ((parent.TraceFlags & ActivityTraceFlags.Recorded) == 0)
        {
            return false;
        }

        if (_all)
        {
            return true;
        }

        Span<byte> trace = stackalloc byte[16];
        parent.TraceId.CopyTo(trace);
        return Within(trace);
    }

    /// <summary>Whether a trace id falls within the ratio.</summary>
    public bool Within(ReadOnlySpan<byte> traceId)
    {
        if (_all)
        {
            return true;
        }

        var high = BinaryPrimitives.ReadInt64BigEndian(traceId);
        return (high == long.MinValue ? long.MaxValue : Math.Abs(high)) < _bound;
    }

    /// <summary>The caller's trace as handed on when this server does not record it.</summary>
    public static ActivityContext NotSampled(in ActivityContext parent) =>
        parent.TraceId == default ? parent : new ActivityContext(parent.TraceId, parent.SpanId, ActivityTraceFlags.None, parent.TraceState, parent.IsRemote);
}
