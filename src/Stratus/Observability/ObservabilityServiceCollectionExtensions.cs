using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Microsoft.Extensions.Logging;
using Stratus.Hosting;
using Stratus.Observability.Otlp;

namespace Stratus.Observability;

public static class ObservabilityServiceCollectionExtensions
{
    /// <summary>
    /// Registers metrics (OpenTelemetry, exported for Prometheus at <c>/metrics</c>) and traces (OTLP,
    /// when an endpoint is set). What is registered depends on <paramref name="observability"/>: a
    /// server with metrics off has no meter provider, one without OTLP no trace exporter.
    /// </summary>
    public static IServiceCollection AddStratusObservability(this IServiceCollection services, ObservabilityOptions observability)
    {
        ArgumentNullException.ThrowIfNull(observability);
        // The console's series, and log retention run in the background.
        services.TryAddSingleton(sp => new InvocationSeries(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<LogRetention>();
        services.AddHostedService<LogRetentionService>();
        // This server's own meter: its meter provider takes this meter's instruments alone, not those
        // of another server in the same process (tests) that share the name.
        var meter = new Meter(InvocationTelemetry.Name);
        services.TryAddSingleton(_ => meter);
        if (observability.OtlpEndpoint is not null)
        {
            services.TryAddSingleton(sp => new TraceExporter(observability, sp.GetRequiredService<ILogger<TraceExporter>>()));
            services.AddHostedService<TraceExportService>();
        }

        services.TryAddSingleton(sp => new InvocationTelemetry(
            sp.GetRequiredService<Meter>(),
            sp.GetRequiredService<IOptions<StratusOptions>>().Value.Observability,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<TraceExporter>()));
        services.TryAddSingleton(sp => new PlatformGauges(
            sp.GetRequiredService<Meter>(),
            sp.GetRequiredService<Execution.ExecutionEngine>(),
            sp.GetRequiredService<Storage.IAsyncEventStore>(),
            sp.GetRequiredService<Events.Mappings.EventSourceMappings>(),
            sp.GetRequiredService<Functions.FunctionRegistry>(),
            sp.GetRequiredService<InvocationTelemetry>().Labels,
            sp.GetRequiredService<TimeProvider>()));
        if (observability.Metrics == MetricsAccess.Off)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("stratus"))
            .WithMetrics(metrics => metrics
                .AddMeter(InvocationTelemetry.Name)
                .AddView(instrument => ReferenceEquals(instrument.Meter, meter) ? null : MetricStreamConfiguration.Drop)
                .AddPrometheusExporter(prometheus =>
                {
                    // Every scrape sees every invocation answered before it.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));

        return services;
    }
}
