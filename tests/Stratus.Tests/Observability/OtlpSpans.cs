using System.Buffers.Binary;
using System.Text;

namespace Stratus.Tests.Observability;

/// <summary>A span as an OTLP collector decodes it: ids in hex, attributes of its resource and its own.</summary>
internal sealed record ExportedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    ulong StartNanos,
    ulong EndNanos,
    IReadOnlyDictionary<string, object> Attributes,
    IReadOnlyDictionary<string, object> Resource,
    int StatusCode,
    string StatusMessage)
{
    public const int Internal = 1;
    public const int Server = 2;
}

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> with the wire format's rules alone (varints, fixed
/// sizes, length-delimited fields), so the test checks what a collector would parse.
/// </summary>
internal static class OtlpSpans
{
    public static List<ExportedSpan> Decode(ReadOnlySpan<byte> request)
    {
        var spans = new List<ExportedSpan>();
        var reader = new Reader(request);
        while (reader.Next(out var field, out var value))
        {
            if (field == 1)
            {
                ResourceSpans(value.Bytes, spans);
            }
        }

        return spans;
    }

    private static void ResourceSpans(ReadOnlySpan<byte> message, List<ExportedSpan> spans)
    {
        var resource = new Dictionary<string, object>();
        var scopes = new List<byte[]>();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var value))
        {
            if (field == 1)
            {
                var attributes = new Reader(value.Bytes);
                while (attributes.Next(out var inner, out var attribute))
                {
                    if (inner == 1)
                    {
                        Add(resource, attribute.Bytes);
                    }
                }
            }
            else if (field == 2)
            {
                scopes.Add(value.Bytes.ToArray());
            }
        }

        foreach (var scope in scopes)
        {
            var reader2 = new Reader(scope);
            while (reader2.Next(out var field, out var value))
            {
                if (field == 2)
                {
                    spans.Add(Span(value.Bytes, resource));
                }
            }
        }
    }

    private static ExportedSpan Span(ReadOnlySpan<byte> message, Dictionary<string, object> resource)
    {
        string trace = "", span = "", parent = "", name = "", statusMessage = "";
        int kind = 0, statusCode = 0;
        ulong start = 0, end = 0;
        var attributes = new Dictionary<string, object>();
        var reader = new Reader(message);
        while (reader.Next(out var field, out var value))
        {
            switch (field)
            {
                case 1: trace = Convert.ToHexStringLower(value.Bytes); break;
                case 2: span = Convert.ToHexStringLower(value.Bytes); break;
                case 4: parent = Convert.ToHexStringLower(value.Bytes); break;
                case 5: name = Encoding.UTF8.GetString(value.Bytes); break;
                case 6: kind = (int)value.Number; break;
                case 7: start = value.Number; break;
                case 8: end = value.Number; break;
                case 9: Add(attributes, value.Bytes); break;
                case 15:
                    var status = new Reader(value.Bytes);
                    while (status.Next(out var inner, out var part))
                    {
                        if (inner == 2)
                        {
                            statusMessage = Encoding.UTF8.GetString(part.Bytes);
                        }
                        else if (inner == 3)
                        {
                            statusCode = (int)part.Number;
                        }
                    }

                    break;
            }
        }

        return new ExportedSpan(trace, span, parent, name, kind, start, end, attributes, resource, statusCode, statusMessage);
    }

    // KeyValue { key = 1; AnyValue value = 2 { string = 1; bool = 2; int = 3 } }.
    private static void Add(Dictionary<string, object> attributes, ReadOnlySpan<byte> keyValue)
    {
        string key = "";
        object? result = null;
        var reader = new Reader(keyValue);
        while (reader.Next(out var field, out var value))
        {
            if (field == 1)
            {
                key = Encoding.UTF8.GetString(value.Bytes);
            }
            else if (field == 2)
            {
                var any = new Reader(value.Bytes);
                while (any.Next(out var kind, out var inner))
                {
                    result = kind switch
                    {
                        1 => Encoding.UTF8.GetString(inner.Bytes),
                        2 => inner.Number != 0,
                        3 => (long)inner.Number,
                        _ => result,
                    };
                }
            }
        }

        attributes[key] = result ?? "";
    }

    private readonly ref struct Value(ulong number, ReadOnlySpan<byte> bytes)
    {
        public ulong Number { get; } = number;

        public ReadOnlySpan<byte> Bytes { get; } = bytes;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public bool Next(out int field, out Value value)
        {
            if (_at >= _data.Length)
            {
                field = 0;
                value = default;
                return false;
            }

            var tag = Varint();
            field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    value = new Value(Varint(), default);
                    break;
                case 1:
                    value = new Value(BinaryPrimitives.ReadUInt64LittleEndian(_data[_at..]), default);
                    _at += 8;
                    break;
                case 2:
                    var length = (int)Varint();
                    value = new Value(0, _data.Slice(_at, length));
                    _at += length;
                    break;
                case 5:
                    value = new Value(BinaryPrimitives.ReadUInt32LittleEndian(_data[_at..]), default);
                    _at += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {tag & 7} at {_at}");
            }

            return true;
        }

        private ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = _data[_at++];
                result |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }
        }
    }
}
