using System.Diagnostics;
using Stratus.Execution;
using Stratus.Functions;

namespace Stratus.Observability.Otlp;

/// <summary>
/// One traced invocation as it waits for export: its ids, when it began and ended, and what its
/// instance measured. Its phases (queue wait, init, run) become spans only when it is encoded.
/// </summary>
internal struct InvocationSpan
{
    /// <summary>The invocation's trace and span id, as the function was told them.</summary>
    public ActivityContext Context;

    /// <summary>The caller's span; default for an invocation that began a trace.</summary>
    public ActivitySpanId Parent;

    public FunctionDefinition Function;
    public string RequestId;
    public string Trigger;
    public DateTimeOffset Start;
    public DateTimeOffset End;

    /// <summary>Null when no instance ran it (a throttle, a failed init).</summary>
    public InvocationMetrics? Metrics;

    /// <summary>Whether it queued for an instance (none was idle).</summary>
    public bool Waited;

    /// <summary>The span's error status; null when it succeeded.</summary>
    public string? Error;
}
