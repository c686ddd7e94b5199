using Stratus.Functions;

namespace Stratus.Observability.Otlp;

/// <summary>
/// One traced invocation as it waits for export: its ids, when it began and ended, and what its
/// instance measured. Its phases (queue wait, init, run) become spans only when it is encoded.
/// </summary>
/// <remarks>
/// Values, not references to the invocation's objects: an entry waits up to 100 ms in a buffer that
/// lives in the oldest generation, and a reference from there would carry its young target through
/// the collections in between. What it does refer to lives long anyway (the function's definition,
/// literal strings), apart from the rare error message, trace state or request id that is not a GUID.
/// </remarks>
internal struct InvocationSpan
{
    /// <summary>The trace id's first and last eight bytes, big-endian, as the function was told them.</summary>
    public ulong TraceHigh;
    public ulong TraceLow;
    public ulong SpanId;

    /// <summary>The caller's span; 0 for an invocation that began a trace.</summary>
    public ulong ParentSpanId;

    public string? TraceState;
    public FunctionDefinition Function;

    /// <summary>The request id when it is a GUID (Stratus makes them so); else <see cref="RequestIdText"/>.</summary>
    public Guid RequestId;
    public string? RequestIdText;
    public string Trigger;
    public long StartTicks;
    public long EndTicks;

    /// <summary>Whether an instance ran it (not a throttle or a failed init): the fields below are set.</summary>
    public bool Ran;
    public long RunStartTicks;
    public double DurationMs;

    /// <summary>Negative on a warm start.</summary>
    public double InitDurationMs;

    /// <summary>Whether it queued for an instance (none was idle).</summary>
    public bool Waited;

    /// <summary>The span's error status; null when it succeeded.</summary>
    public string? Error;
}
