using System.Diagnostics;
using Stratus.Execution;

namespace Stratus.Observability;

/// <summary>
/// The phases of an invocation as child spans of its span. They are made when it ends, from the
/// times the instance measured (the same figures as its REPORT line), so the hot path starts one
/// span per invocation, not four.
/// </summary>
internal static class Spans
{
    private static readonly object True = true;
    private static readonly object False = false;

    /// <summary>Ends the phases: <paramref name="waited"/> says whether it queued for an instance (none was idle).</summary>
    public static void End(Activity invocation, InvocationResult result, InvocationMetrics? metrics, bool waited)
    {
        if (result.FunctionError is { } error)
        {
            invocation.SetStatus(ActivityStatusCode.Error, error);
        }

        if (!invocation.IsAllDataRequested || metrics is null)
        {
            return;
        }

        var cold = metrics.InitDurationMs >= 0;
        invocation.SetTag("faas.coldstart", cold ? True : False);
        var runStart = metrics.StartedAt;
        var initStart = cold ? runStart.AddMilliseconds(-metrics.InitDurationMs) : runStart;
        var invoked = new DateTimeOffset(invocation.StartTimeUtc, TimeSpan.Zero);
        if (waited)
        {
            // What came before an instance took it (or began to boot for it); an invocation that found
            // an idle instance has no such phase.
            Child(invocation, "queue wait", invoked, initStart > invoked ? initStart : invoked);
        }

        if (cold)
        {
            Child(invocation, "init", initStart, runStart);
        }

        Child(invocation, "run", runStart, runStart.AddMilliseconds(metrics.DurationMs));
    }

    private static void Child(Activity parent, string name, DateTimeOffset start, DateTimeOffset end)
    {
        using var span = InvocationTelemetry.Source.StartActivity(name, ActivityKind.Internal, parent.Context, startTime: start);
        if (span is null)
        {
            return;
        }

        span.SetEndTime(end.UtcDateTime);
    }
}
