using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Stratus.Events.Urls;

/// <summary>
/// Turns a function's result into the HTTP response, as Lambda does for function URLs: an object with
/// a <c>statusCode</c> is a response (headers, multiValueHeaders, cookies as Set-Cookie, body, base64
/// decoded when isBase64Encoded); any other JSON value is a 200 application/json whose body is that
/// value (a string's text, without its quotes).
/// </summary>
internal static class HttpResponseMapper
{
    private const string Json = "application/json";

    // Headers about this connection or the body's framing are the server's to set, not the function's.
    private static readonly HashSet<string> ServerHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Content-Length", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "TE", "Trailer",
    };

    /// <summary>Sets the status and headers and returns the body; false when the result is no valid response (a 502).</summary>
    public static bool TryApply(HttpResponse response, ReadOnlyMemory<byte> payload, out byte[] body)
    {
        ArgumentNullException.ThrowIfNull(response);
        body = [];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("statusCode", out var statusCode))
            {
                return TryApplyResponse(response, root, statusCode, out body);
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = Json;
            body = root.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(root.GetString()!) : payload.ToArray();
            return true;
        }
    }

    private static bool TryApplyResponse(HttpResponse response, JsonElement root, JsonElement statusCode, out byte[] body)
    {
        body = [];
        if (!TryStatus(statusCode, out var status))
        {
            return false;
        }

        var headers = response.Headers;
        if (root.TryGetProperty("multiValueHeaders", out var multi) && multi.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in multi.EnumerateObject())
            {
                if (header.Value.ValueKind == JsonValueKind.Array && !ServerHeaders.Contains(header.Name))
                {
                    var values = header.Value.EnumerateArray().Select(Text).ToArray();
                    if (!IsValidHeader(header.Name) || !values.All(IsValidValue))
                    {
                        return false;
                    }

                    headers.Append(header.Name, values);
                }
            }
        }

        if (root.TryGetProperty("headers", out var single) && single.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in single.EnumerateObject())
            {
                var value = Text(header.Value);
                if (ServerHeaders.Contains(header.Name))
                {
                    continue;
                }

                if (!IsValidHeader(header.Name) || !IsValidValue(value))
                {
                    return false;
                }

                headers[header.Name] = value;
            }
        }

        if (root.TryGetProperty("cookies", out var cookies) && cookies.ValueKind == JsonValueKind.Array)
        {
            foreach (var cookie in cookies.EnumerateArray())
            {
                var value = Text(cookie);
                if (!IsValidValue(value))
                {
                    return false;
                }

                headers.Append("Set-Cookie", value);
            }
        }

        if (!headers.ContainsKey("Content-Type"))
        {
            headers.ContentType = Json;
        }

        if (root.TryGetProperty("body", out var content) && content.ValueKind != JsonValueKind.Null)
        {
            var base64 = root.TryGetProperty("isBase64Encoded", out var flag) && flag.ValueKind == JsonValueKind.True;
            var text = content.ValueKind == JsonValueKind.String ? content.GetString()! : content.GetRawText();
            if (base64)
            {
                try
                {
                    body = Convert.FromBase64String(text);
                }
                catch (FormatException)
                {
                    return false;
                }
            }
            else
            {
                body = Encoding.UTF8.GetBytes(text);
            }
        }

        response.StatusCode = status;
        return true;
    }

    /// <summary>A status code given as a number or a numeric string, 100 to 599.</summary>
    private static bool TryStatus(JsonElement value, out int status)
    {
        status = 0;
        var parsed = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt32(out status),
            JsonValueKind.String => int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out status),
            _ => false,
        };
        return parsed && status is >= 100 and <= 599;
    }

    /// <summary>A header name is a non-empty token (RFC 9110): no spaces, separators or control characters.</summary>
    private static bool IsValidHeader(string name) => name.Length > 0 && !name.AsSpan().ContainsAnyExcept(TokenCharacters);

    /// <summary>A header value may hold no control character but a tab (a CR or LF would split the response).</summary>
    private static bool IsValidValue(string value) =>
        !value.AsSpan().ContainsAnyInRange('\0', '\b') && !value.AsSpan().ContainsAnyInRange('\n', '\u001f') && !value.Contains('\u007f', StringComparison.Ordinal);

    private static readonly System.Buffers.SearchValues<char> TokenCharacters =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
