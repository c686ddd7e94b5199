using System.Buffers.Binary;
using System.Diagnostics;

namespace Stratus.Observability;

/// <summary>
/// Whether an invocation that carries a caller's trace is recorded, decided before any span is made:
/// a caller that did not sample is never recorded, and of those that did, the share given by
/// <c>--trace-sample-ratio</c>, by the same rule as OpenTelemetry's trace-id ratio sampler (the
/// first eight bytes of the trace id against the ratio), so every server of a trace agrees. Left to
/// the SDK's sampler, each of the others would still cost a propagation-only span.
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

    /// <summary>True when a span is to be made: no caller's trace (the SDK samples those), or a recorded one within the ratio.</summary>
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
        var high = BinaryPrimitives.ReadInt64BigEndian(trace);
        return (high == long.MinValue ? long.MaxValue : Math.Abs(high)) < _bound;
    }

    /// <summary>The caller's trace as handed on when this server does not record it.</summary>
    public static ActivityContext NotSampled(in ActivityContext parent) =>
        parent.TraceId == default ? parent : new ActivityContext(parent.TraceId, parent.SpanId, ActivityTraceFlags.None, parent.TraceState, parent.IsRemote);
}
