using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Stratus.WebConsole;

/// <summary>
/// Serves the web console at <c>/console</c>. The page and its files are public; every API call the
/// page makes is signed in the browser with the user's access key, like any other client's.
/// </summary>
public static class ConsoleEndpoints
{
    public static void MapConsole(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var assets = ConsoleAssets.Load();
        endpoints.MapGet("/console/{**path}", (HttpContext context, string? path) => Serve(context, assets, path)).WithMetadata(Api.OffloadMiddleware.Inline);
    }

    private static Task Serve(HttpContext context, ConsoleAssets assets, string? path)
    {
        if (context.Request.Path.Value is "/console")
        {
            // Routing treats /console and /console/ alike; the page's address is the latter.
            context.Response.Redirect("/console/");
            return Task.CompletedTask;
        }

        // The console is one page: its own routes (#/functions/...) live after the hash.
        if (!assets.TryGet(string.IsNullOrEmpty(path) ? "index.html" : path, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return response.Body.WriteAsync(asset.Content).AsTask();
    }
}
