using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stratus.Api;
using Stratus.Hosting;

namespace Stratus.Observability;

/// <summary>
/// <c>GET /metrics</c> in Prometheus's text format. It runs before the API's authentication: a
/// scraper does not sign requests. What protects it is <see cref="MetricsAccess"/> (loopback callers
/// only, by default), since it shows every tenant's functions.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IApplicationBuilder UseStratusMetrics(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var access = app.ApplicationServices.GetRequiredService<IOptions<StratusOptions>>().Value.Observability.Metrics;
        if (access == MetricsAccess.Off)
        {
            return app;
        }

        // Made now: its gauges exist from the first scrape on.
        app.ApplicationServices.GetRequiredService<PlatformGauges>();
        return app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null,
            predicate: context => context.Request.Path == Path,
            path: null,
            configureBranchedPipeline: branch => branch.Use((context, next) =>
                access == MetricsAccess.Open || IsLoopback(context.Connection.RemoteIpAddress)
                    ? next(context)
                    : ErrorWriter.WriteAsync(context, new LambdaException(403, "AccessDeniedException", "Metrics are served to loopback callers only (stratus server --metrics open serves them to all)"))),
            optionsName: null);
    }

    private static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);
}
