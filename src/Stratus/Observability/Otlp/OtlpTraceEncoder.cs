using System.Buffers.Binary;
using Stratus.Functions;

namespace Stratus.Observability.Otlp;

/// <summary>
/// Writes traced invocations as an OTLP <c>ExportTraceServiceRequest</c>: one resource per function
/// version (<c>service.name</c>, <c>faas.name</c>, <c>faas.version</c>, <c>cloud.account.id</c>, as
/// OpenTelemetry's FaaS conventions place them), each invocation a server span named after its
/// function (<c>faas.invocation_id</c>, <c>faas.trigger</c>, <c>faas.coldstart</c>) with its phases
/// as children: <c>queue wait</c> when it waited for an instance, <c>init</c> on a cold start, <c>run</c>.
/// </summary>
internal static class OtlpTraceEncoder
{
    public const string ScopeName = "Stratus";

    // Field numbers of opentelemetry/proto (collector/trace/v1, trace/v1, common/v1, resource/v1).
    private const int RequestResourceSpans = 1;
    private const int ResourceSpansResource = 1;
    private const int ResourceSpansScopeSpans = 2;
    private const int ResourceAttributes = 1;
    private const int ScopeSpansScope = 1;
    private const int ScopeSpansSpans = 2;
    private const int InstrumentationScopeName = 1;
    private const int KeyValueKey = 1;
    private const int KeyValueValue = 2;
    private const int AnyValueString = 1;
    private const int AnyValueBool = 2;
    private const int SpanTraceId = 1;
    private const int SpanSpanId = 2;
    private const int SpanTraceState = 3;
    private const int SpanParentSpanId = 4;
    private const int SpanName = 5;
    private const int SpanKind = 6;
    private const int SpanStart = 7;
    private const int SpanEnd = 8;
    private const int SpanAttributes = 9;
    private const int SpanStatus = 15;
    private const int SpanFlags = 16;
    private const int StatusMessage = 2;
    private const int StatusCode = 3;

    private const int KindInternal = 1;
    private const int KindServer = 2;
    private const int StatusError = 2;

    // Span.flags: the W3C trace flags (sampled) and whether the parent is known to be remote, and is.
    private const uint FlagSampled = 0x01;
    private const uint FlagHasIsRemote = 0x100;
    private const uint FlagIsRemote = 0x200;

    /// <summary>Writes <paramref name="spans"/> after what <paramref name="writer"/> holds.</summary>
    public static void Write(ProtobufWriter writer, ReadOnlySpan<InvocationSpan> spans)
    {
        // Grouped by the function definition they ran (a revision, a version): a few lists a batch.
        var byFunction = new Dictionary<FunctionDefinition, List<int>>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < spans.Length; i++)
        {
            if (!byFunction.TryGetValue(spans[i].Function, out var list))
            {
                byFunction[spans[i].Function] = list = [];
            }

            list.Add(i);
        }

        foreach (var (function, list) in byFunction)
        {
            var name = function.FunctionName;
            var resourceSpans = writer.BeginMessage(RequestResourceSpans);
            var resource = writer.BeginMessage(ResourceSpansResource);
            StringAttribute(writer, ResourceAttributes, "service.name", "stratus");
            StringAttribute(writer, ResourceAttributes, "faas.name", name);
            StringAttribute(writer, ResourceAttributes, "faas.version", function.Version);
            StringAttribute(writer, ResourceAttributes, "cloud.account.id", function.AccountId);
            writer.EndMessage(resource);
            var scopeSpans = writer.BeginMessage(ResourceSpansScopeSpans);
            var scope = writer.BeginMessage(ScopeSpansScope);
            writer.String(InstrumentationScopeName, ScopeName);
            writer.EndMessage(scope);
            foreach (var i in list)
            {
                WriteInvocation(writer, name, spans[i]);
            }

            writer.EndMessage(scopeSpans);
            writer.EndMessage(resourceSpans);
        }
    }

    private static void WriteInvocation(ProtobufWriter writer, string name, in InvocationSpan span)
    {
        Span<byte> traceId = stackalloc byte[16];
        Span<byte> spanId = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(traceId, span.TraceHigh);
        BinaryPrimitives.WriteUInt64BigEndian(traceId[8..], span.TraceLow);
        BinaryPrimitives.WriteUInt64BigEndian(spanId, span.SpanId);
        var root = span.ParentSpanId == 0;

        var message = writer.BeginMessage(ScopeSpansSpans);
        writer.Bytes(SpanTraceId, traceId);
        writer.Bytes(SpanSpanId, spanId);
        if (!string.IsNullOrEmpty(span.TraceState))
        {
            writer.String(SpanTraceState, span.TraceState);
        }

        if (!root)
        {
            Span<byte> parent = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(parent, span.ParentSpanId);
            writer.Bytes(SpanParentSpanId, parent);
        }

        writer.String(SpanName, name);
        writer.Varint(SpanKind, KindServer);
        writer.Fixed64(SpanStart, UnixNanoseconds(span.StartTicks));
        writer.Fixed64(SpanEnd, UnixNanoseconds(span.EndTicks));
        if (span.RequestIdText is { } text)
        {
            StringAttribute(writer, SpanAttributes, "faas.invocation_id", text);
        }
        else
        {
            Span<char> guid = stackalloc char[36];
            span.RequestId.TryFormat(guid, out _, "D");
            StringAttribute(writer, SpanAttributes, "faas.invocation_id", guid);
        }

        StringAttribute(writer, SpanAttributes, "faas.trigger", span.Trigger);
        var cold = span.InitDurationMs >= 0;
        if (span.Ran)
        {
            var attribute = writer.BeginMessage(SpanAttributes);
            writer.String(KeyValueKey, "faas.coldstart");
            var value = writer.BeginMessage(KeyValueValue);
            writer.Bool(AnyValueBool, cold);
            writer.EndMessage(value);
            writer.EndMessage(attribute);
        }

        if (span.Error is { } error)
        {
            var status = writer.BeginMessage(SpanStatus);
            writer.String(StatusMessage, error);
            writer.Varint(StatusCode, StatusError);
            writer.EndMessage(status);
        }

        writer.Fixed32(SpanFlags, FlagSampled | FlagHasIsRemote | (root ? 0 : FlagIsRemote));
        writer.EndMessage(message);

        if (!span.Ran)
        {
            return;
        }

        var runStart = span.RunStartTicks;
        var initStart = cold ? runStart - TimeSpan.FromMilliseconds(span.InitDurationMs).Ticks : runStart;
        if (span.Waited)
        {
            // What came before an instance took it (or began to boot for it).
            WritePhase(writer, traceId, spanId, "queue wait", span.StartTicks, Math.Max(initStart, span.StartTicks));
        }

        if (cold)
        {
            WritePhase(writer, traceId, spanId, "init", initStart, runStart);
        }

        WritePhase(writer, traceId, spanId, "run", runStart, runStart + TimeSpan.FromMilliseconds(span.DurationMs).Ticks);
    }

    private static void WritePhase(ProtobufWriter writer, ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> parent, string name, long startTicks, long endTicks)
    {
        Span<byte> spanId = stackalloc byte[8];
        NewId(spanId);
        var message = writer.BeginMessage(ScopeSpansSpans);
        writer.Bytes(SpanTraceId, traceId);
        writer.Bytes(SpanSpanId, spanId);
        writer.Bytes(SpanParentSpanId, parent);
        writer.String(SpanName, name);
        writer.Varint(SpanKind, KindInternal);
        writer.Fixed64(SpanStart, UnixNanoseconds(startTicks));
        writer.Fixed64(SpanEnd, UnixNanoseconds(endTicks));
        writer.Fixed32(SpanFlags, FlagSampled | FlagHasIsRemote);
        writer.EndMessage(message);
    }

    /// <summary>A trace id (16 bytes) or span id (8): random bytes, not all zero (an id of zeros is invalid).</summary>
    public static void NewId(Span<byte> id)
    {
        do
        {
            Random.Shared.NextBytes(id);
        }
        while (!id.ContainsAnyExcept((byte)0));
    }

    private static void StringAttribute(ProtobufWriter writer, int field, string key, ReadOnlySpan<char> value)
    {
        var attribute = writer.BeginMessage(field);
        writer.String(KeyValueKey, key);
        var any = writer.BeginMessage(KeyValueValue);
        writer.String(AnyValueString, value);
        writer.EndMessage(any);
        writer.EndMessage(attribute);
    }

    private static ulong UnixNanoseconds(long utcTicks) =>
        (ulong)Math.Max(0, (utcTicks - DateTime.UnixEpoch.Ticks) * 100);
}
