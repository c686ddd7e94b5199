using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Stratus.Events.Urls;

/// <summary>
/// Writes the event a function URL gives its function: API Gateway's HTTP payload format 2.0, as
/// Lambda fills it for function URLs (no pathParameters or stageVariables).
/// </summary>
internal static class HttpEventWriter
{
    /// <summary>What the writer needs to know about the request beyond the request itself.</summary>
    public readonly record struct Context(string UrlId, string RawPath, string RequestId, string AccountId, DateTimeOffset Time, CallerIdentity? Caller);

    public static byte[] Write(HttpRequest request, ReadOnlySpan<byte> body, in Context context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new ArrayBufferWriter<byte>(1024 + (body.Length * 4 / 3));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "2.0");
            json.WriteString("routeKey", "$default");
            json.WriteString("rawPath", context.RawPath);
            var query = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
            json.WriteString("rawQueryString", query);
            WriteCookies(json, request);
            WriteHeaders(json, request);
            WriteQuery(json, request);
            WriteRequestContext(json, request, context);
            if (body.Length > 0)
            {
                var text = IsText(request.ContentType) && IsUtf8(body);
                if (text)
                {
                    json.WriteString("body", Encoding.UTF8.GetString(body));
                }
                else
                {
                    json.WriteBase64String("body", body);
                }

                json.WriteBoolean("isBase64Encoded", !text);
            }
            else
            {
                json.WriteBoolean("isBase64Encoded", false);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Whether a body of this content type reaches the function as text. Like Lambda: text types and
    /// JSON, XML and JavaScript ones; everything else (form posts, octet streams, images, no type at
    /// all) arrives base64-encoded.
    /// </summary>
    internal static bool IsText(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var type = contentType.AsSpan();
        var semicolon = type.IndexOf(';');
        type = (semicolon < 0 ? type : type[..semicolon]).Trim();
        return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || type.Contains("json", StringComparison.OrdinalIgnoreCase)
            || type.Contains("xml", StringComparison.OrdinalIgnoreCase)
            || type.Contains("javascript", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsUtf8(ReadOnlySpan<byte> body) => System.Text.Unicode.Utf8.IsValid(body);

    private static void WriteCookies(Utf8JsonWriter json, HttpRequest request)
    {
        var cookies = request.Headers.Cookie;
        if (cookies.Count == 0)
        {
            return;
        }

        json.WriteStartArray("cookies");
        foreach (var header in cookies)
        {
            foreach (var cookie in (header ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                json.WriteStringValue(cookie);
            }
        }

        json.WriteEndArray();
    }

    private static void WriteHeaders(Utf8JsonWriter json, HttpRequest request)
    {
        json.WriteStartObject("headers");
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            json.WriteString(name.ToLowerInvariant(), string.Join(',', values.ToArray()));
        }

        // Lambda's front end says who connected and how, as a proxy would.
        if (!request.Headers.ContainsKey("X-Forwarded-For"))
        {
            json.WriteString("x-forwarded-for", request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "");
        }

        if (!request.Headers.ContainsKey("X-Forwarded-Proto"))
        {
            json.WriteString("x-forwarded-proto", request.Scheme);
        }

        if (!request.Headers.ContainsKey("X-Forwarded-Port"))
        {
            json.WriteString("x-forwarded-port", request.HttpContext.Connection.LocalPort.ToString(CultureInfo.InvariantCulture));
        }

        json.WriteEndObject();
    }

    private static void WriteQuery(Utf8JsonWriter json, HttpRequest request)
    {
        if (request.Query.Count == 0)
        {
            return;
        }

        json.WriteStartObject("queryStringParameters");
        foreach (var (name, values) in request.Query)
        {
            json.WriteString(name, string.Join(',', values.ToArray()));
        }

        json.WriteEndObject();
    }

    private static void WriteRequestContext(Utf8JsonWriter json, HttpRequest request, in Context context)
    {
        json.WriteStartObject("requestContext");
        json.WriteString("accountId", context.Caller is null ? "anonymous" : context.AccountId);
        json.WriteString("apiId", context.UrlId);
        if (context.Caller is { } caller)
        {
            json.WriteStartObject("authorizer");
            json.WriteStartObject("iam");
            json.WriteString("accessKey", caller.AccessKey);
            json.WriteString("accountId", context.AccountId);
            json.WriteString("callerId", caller.AccessKey);
            json.WriteNull("cognitoIdentity");
            json.WriteNull("principalOrgId");
            json.WriteString("userArn", $"arn:aws:iam::{context.AccountId}:user/{caller.AccessKey}");
            json.WriteString("userId", caller.AccessKey);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteString("domainName", request.Host.Host);
        json.WriteString("domainPrefix", context.UrlId);
        json.WriteStartObject("http");
        json.WriteString("method", request.Method);
        json.WriteString("path", context.RawPath);
        json.WriteString("protocol", request.Protocol);
        json.WriteString("sourceIp", request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "");
        json.WriteString("userAgent", request.Headers.UserAgent.ToString());
        json.WriteEndObject();
        json.WriteString("requestId", context.RequestId);
        json.WriteString("routeKey", "$default");
        json.WriteString("stage", "$default");
        json.WriteString("time", context.Time.ToUniversalTime().ToString("dd/MMM/yyyy:HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        json.WriteNumber("timeEpoch", context.Time.ToUnixTimeMilliseconds());
        json.WriteEndObject();
    }
}
