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
    public static void End(Activity invocation, InvocationResult result, InvocationMetrics? metrics)
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
        invocation.SetTag("faas.coldstart", cold);
        var runStart = metrics.StartedAt;
        var initStart = cold ? runStart.AddMilliseconds(-metrics.InitDurationMs) : runStart;
        var invoked = new DateTimeOffset(invocation.StartTimeUtc, TimeSpan.Zero);
        // What came before the instance took it (or began to boot for it): waiting for an instance.
        var waitEnd = initStart > invoked ? initStart : invoked;
        Child(invocation, "queue wait", invoked, waitEnd);
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
