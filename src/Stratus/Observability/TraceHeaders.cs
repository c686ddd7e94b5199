using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Stratus.Observability;

/// <summary>
/// The W3C <c>traceparent</c> a caller sends, and the same trace in Lambda's X-Ray form
/// (<c>Root=1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx;Parent=xxxxxxxxxxxxxxxx;Sampled=1</c>) that the
/// function gets as <c>_X_AMZN_TRACE_ID</c>: the root is the W3C trace id split after its first eight
/// hex digits (X-Ray's epoch part), so a span a function exports joins the caller's trace.
/// </summary>
internal static class TraceHeaders
{
    private const int TraceParentLength = 55;

    /// <summary>The caller's trace context; default (no trace) when absent or malformed, as W3C asks.</summary>
    public static ActivityContext FromRequest(HttpRequest request)
    {
        var parent = request.Headers.TraceParent;
        if (parent.Count != 1 || parent[0] is not { Length: TraceParentLength } value)
        {
            return default;
        }

        var state = request.Headers.TraceState;
        return ActivityContext.TryParse(value, state.Count == 1 && state[0]!.Length <= 512 ? state[0] : null, isRemote: true, out var context)
            ? context
            : default;
    }

    /// <summary><c>Root=1-…;Parent=…;Sampled=…</c> for a trace context that has a trace id.</summary>
    public static string ToLambda(in ActivityContext context) =>
        string.Create(LambdaLength, context, static (text, context) =>
        {
            "Root=1-".CopyTo(text);
            Span<byte> trace = stackalloc byte[16];
            Span<byte> span = stackalloc byte[8];
            context.TraceId.CopyTo(trace);
            context.SpanId.CopyTo(span);
            Convert.TryToHexStringLower(trace[..4], text[7..], out _);
            text[15] = '-';
            Convert.TryToHexStringLower(trace[4..], text[16..], out _);
            ";Parent=".CopyTo(text[40..]);
            Convert.TryToHexStringLower(span, text[48..], out _);
            ";Sampled=".CopyTo(text[64..]);
            text[73] = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? '1' : '0';
        });

    // "Root=1-" 8 hex "-" 24 hex ";Parent=" 16 hex ";Sampled=" 1 digit.
    private const int LambdaLength = 7 + 8 + 1 + 24 + 8 + 16 + 9 + 1;
}
