using System.Buffers;
using System.Text;

namespace Stratus.Tenancy.SigV4;

/// <summary>
/// Writes the parts of a SigV4 canonical request from a request as it arrived on the wire. Clients sign
/// the path they send, already percent-encoded, and encode it once more (botocore quotes it with
/// safe='/~', the JS SDK escapes each segment), so every service but S3 sees a double-encoded path;
/// an ARN's ':' arrives as %3A and is signed as %253A.
/// </summary>
internal static class SigV4Canonicalizer
{
    private const string HexDigits = "0123456789ABCDEF";
    private static readonly SearchValues<char> Unreserved = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~");

    /// <summary>The path part of a request target, as sent: origin form, absolute form or <c>*</c>.</summary>
    public static ReadOnlySpan<char> PathOf(string rawTarget, out ReadOnlySpan<char> query)
    {
        var target = rawTarget.AsSpan();
        var scheme = target.IndexOf("://");
        if (scheme > 0 && target[0] != '/')
        {
            var pathStart = target[(scheme + 3)..].IndexOfAny('/', '?');
            target = pathStart < 0 ? "/" : target[(scheme + 3 + pathStart)..];
        }

        var mark = target.IndexOf('?');
        query = mark < 0 ? default : target[(mark + 1)..];
        var path = mark < 0 ? target : target[..mark];
        return path.IsEmpty || path.SequenceEqual("*") ? "/" : path;
    }

    /// <summary>
    /// Appends the canonical URI: dot segments and empty segments removed as both clients do, then each
    /// segment URI-encoded; S3 alone signs the path untouched.
    /// </summary>
    public static void AppendUri(Utf8Builder builder, ReadOnlySpan<char> path, ReadOnlySpan<char> service)
    {
        if (service.SequenceEqual("s3"))
        {
            builder.Append(path);
            return;
        }

        Span<Range> kept = path.Length <= 256 ? stackalloc Range[path.Length + 1] : new Range[path.Length + 1];
        var count = 0;
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment.IsEmpty || segment.SequenceEqual("."))
            {
                continue;
            }

            if (segment.SequenceEqual(".."))
            {
                count = Math.Max(0, count - 1);
                continue;
            }

            kept[count++] = range;
        }

        builder.Append((byte)'/');
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append((byte)'/');
            }

            AppendEncoded(builder, path[kept[i]]);
        }

        if (count > 0 && path[^1] == '/')
        {
            builder.Append((byte)'/');
        }
    }

    /// <summary>
    /// Appends the canonical query string: each name and value decoded, then encoded per RFC 3986, sorted by
    /// name then value; a name without '=' has an empty value. <paramref name="skip"/> names a parameter to
    /// leave out (the presigned signature itself).
    /// </summary>
    public static void AppendQuery(Utf8Builder builder, ReadOnlySpan<char> query, string? skip = null)
    {
        if (query.IsEmpty)
        {
            return;
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            if (skip is not null && name.Equals(skip, StringComparison.Ordinal))
            {
                continue;
            }

            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            pairs.Add((Encode(name), Encode(value)));
        }

        pairs.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                builder.Append((byte)'&');
            }

            builder.Append(pairs[i].Name).Append((byte)'=').Append(pairs[i].Value);
        }
    }

    /// <summary>Appends one header value: trimmed, with each run of spaces and tabs made one space.</summary>
    public static void AppendHeaderValue(Utf8Builder builder, ReadOnlySpan<char> value)
    {
        value = value.Trim();
        // Nearly every value has nothing to fold and is appended whole, as its one run.
        while (true)
        {
            var space = value.IndexOfAny(' ', '\t');
            if (space < 0)
            {
                builder.Append(value);
                return;
            }

            builder.Append(value[..space]).Append((byte)' ');
            value = value[space..].TrimStart(" \t");
        }
    }

    /// <summary>Percent-encodes every UTF-8 byte except the unreserved <c>A-Z a-z 0-9 - _ . ~</c>.</summary>
    public static void AppendEncoded(Utf8Builder builder, ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            // Runs of unreserved characters (most of a path) are appended whole.
            var run = text[i..].IndexOfAnyExcept(Unreserved);
            if (run < 0)
            {
                builder.Append(text[i..]);
                return;
            }

            builder.Append(text.Slice(i, run));
            i += run;

            var c = text[i];
            int length;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                length = new Rune(c, text[++i]).EncodeToUtf8(utf8);
            }
            else
            {
                length = (Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar).EncodeToUtf8(utf8);
            }

            foreach (var b in utf8[..length])
            {
                builder.Append((byte)'%').Append((byte)HexDigits[b >> 4]).Append((byte)HexDigits[b & 0xF]);
            }
        }
    }

    private static string Encode(string text)
    {
        var builder = new Utf8Builder(text.Length + 8);
        AppendEncoded(builder, text);
        return builder.ToString();
    }
}
