using Microsoft.AspNetCore.Http;

namespace Stratus.Events.Urls;

/// <summary>
/// A function URL's CORS configuration applied as Lambda applies it: preflight requests are answered
/// from the configuration without invoking the function, and the configured headers are added to
/// (and take precedence in) the function's own responses to allowed origins.
/// </summary>
internal static class CorsPolicy
{
    /// <summary>Whether the request is a CORS preflight this configuration answers.</summary>
    public static bool IsPreflight(HttpRequest request, FunctionUrlCors? cors) =>
        cors is not null
        && HttpMethods.IsOptions(request.Method)
        && request.Headers.Origin.Count > 0
        && request.Headers.AccessControlRequestMethod.Count > 0;

    /// <summary>Answers a preflight: 200 with the allowed origin, methods, headers and max age, or no CORS headers when the origin is not allowed.</summary>
    public static void WritePreflight(HttpRequest request, HttpResponse response, FunctionUrlCors cors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(cors);
        response.StatusCode = StatusCodes.Status200OK;
        var origin = request.Headers.Origin.ToString();
        if (AllowedOrigin(cors, origin) is not { } allowed)
        {
            return;
        }

        var headers = response.Headers;
        headers.AccessControlAllowOrigin = allowed;
        var requestedMethod = request.Headers.AccessControlRequestMethod.ToString();
        if (cors.AllowMethods is { Count: > 0 } methods)
        {
            headers.AccessControlAllowMethods = methods.Contains("*") ? (cors.AllowCredentials == true ? requestedMethod : "*") : string.Join(',', methods);
        }

        var requestedHeaders = request.Headers.AccessControlRequestHeaders.ToString();
        if (cors.AllowHeaders is { Count: > 0 } allowHeaders)
        {
            headers.AccessControlAllowHeaders = allowHeaders.Contains("*") && (cors.AllowCredentials == true) ? requestedHeaders : string.Join(',', allowHeaders);
        }

        if (cors.ExposeHeaders is { Count: > 0 } expose)
        {
            headers.AccessControlExposeHeaders = string.Join(',', expose);
        }

        if (cors.MaxAge is > 0 and var maxAge)
        {
            headers.AccessControlMaxAge = maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (cors.AllowCredentials == true)
        {
            headers.AccessControlAllowCredentials = "true";
        }

        headers.Vary = "Origin";
    }

    /// <summary>Adds the configured headers to a function's response for an allowed origin, replacing the function's own.</summary>
    public static void AddToResponse(HttpRequest request, HttpResponse response, FunctionUrlCors? cors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (cors is null || request.Headers.Origin.Count == 0 || AllowedOrigin(cors, request.Headers.Origin.ToString()) is not { } allowed)
        {
            return;
        }

        var headers = response.Headers;
        headers.AccessControlAllowOrigin = allowed;
        if (cors.ExposeHeaders is { Count: > 0 } expose)
        {
            headers.AccessControlExposeHeaders = string.Join(',', expose);
        }

        if (cors.AllowCredentials == true)
        {
            headers.AccessControlAllowCredentials = "true";
        }

        headers.Vary = "Origin";
    }

    /// <summary>
    /// The Access-Control-Allow-Origin value for <paramref name="origin"/>, or null when it is not allowed.
    /// "*" is answered with "*", except with credentials, where browsers need the origin itself.
    /// </summary>
    private static string? AllowedOrigin(FunctionUrlCors cors, string origin)
    {
        if (cors.AllowOrigins is not { Count: > 0 } origins)
        {
            return null;
        }

        if (origins.Contains("*"))
        {
            return cors.AllowCredentials == true ? origin : "*";
        }

        foreach (var allowed in origins)
        {
            if (string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            {
                return origin;
            }
        }

        return null;
    }
}
