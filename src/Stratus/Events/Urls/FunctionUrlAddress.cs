using Microsoft.AspNetCore.Http;

namespace Stratus.Events.Urls;

/// <summary>
/// Where a function URL is reached. Stratus serves it on its own listener at
/// <c>/lambda-url/{id}/</c>, so it works with no DNS set-up, and also for any request whose Host is
/// <c>{id}.lambda-url.&lt;anything&gt;</c> (a wildcard DNS name or a reverse proxy in front).
/// </summary>
public static class FunctionUrlAddress
{
    public const string PathPrefix = "/lambda-url/";
    private const string HostMarker = ".lambda-url.";

    /// <summary>The FunctionUrl shown to clients: on <paramref name="publicUrl"/>, else on the address the caller used.</summary>
    public static string For(string urlId, string? publicUrl, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var root = publicUrl is { Length: > 0 } ? publicUrl.TrimEnd('/') : $"{request.Scheme}://{request.Host}";
        return $"{root}{PathPrefix}{urlId}/";
    }

    /// <summary>
    /// The url id a request is addressed to and the path the function sees, or false when the request
    /// is not for a function URL.
    /// </summary>
    public static bool TryMatch(HttpRequest request, out string urlId, out string rawPath)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The Host header as sent (a port after the name changes nothing here): HostString.Host would
        // make a string of the name for every request, most of which are not for a function URL.
        var host = request.Host.Value ?? "";
        var marker = host.IndexOf(HostMarker, StringComparison.OrdinalIgnoreCase);
        if (marker > 0 && FunctionUrls.IsUrlId(host.AsSpan(0, marker).ToString().ToLowerInvariant()))
        {
            urlId = host[..marker].ToLowerInvariant();
            rawPath = RawPath(request);
            return true;
        }

        var path = request.Path.Value ?? "";
        if (path.StartsWith(PathPrefix, StringComparison.Ordinal))
        {
            var raw = RawPath(request);
            var rest = raw.AsSpan(PathPrefix.Length);
            var slash = rest.IndexOf('/');
            var id = slash < 0 ? rest : rest[..slash];
            urlId = id.ToString();
            rawPath = slash < 0 ? "/" : rest[slash..].ToString();
            return true;
        }

        urlId = "";
        rawPath = "";
        return false;
    }

    /// <summary>The path as the client sent it (still percent-encoded), without the query.</summary>
    private static string RawPath(HttpRequest request)
    {
        var target = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var query = target.IndexOf('?');
        var path = query < 0 ? target : target[..query];
        return path.Length == 0 ? "/" : path;
    }
}
