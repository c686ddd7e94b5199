using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Stratus.Hosting;

namespace Stratus.Observability;

public static class ObservabilityServiceCollectionExtensions
{
    private const int OtlpBatchSize = 2048;
    private const int OtlpDelayMilliseconds = 100;
    private const int OtlpQueueSize = 32768;

    /// <summary>
    /// Registers metrics (OpenTelemetry, exported for Prometheus at <c>/metrics</c>) and traces (OTLP,
    /// when an endpoint is set). What is registered depends on <paramref name="observability"/>: a
    /// server with metrics off has no meter provider, one without OTLP no tracer provider.
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
        services.TryAddSingleton(sp => new InvocationTelemetry(sp.GetRequiredService<Meter>(), sp.GetRequiredService<IOptions<StratusOptions>>().Value.Observability));
        services.TryAddSingleton(sp => new PlatformGauges(
            sp.GetRequiredService<Meter>(),
            sp.GetRequiredService<Execution.ExecutionEngine>(),
            sp.GetRequiredService<Storage.IAsyncEventStore>(),
            sp.GetRequiredService<Events.Mappings.EventSourceMappings>(),
            sp.GetRequiredService<Functions.FunctionRegistry>(),
            sp.GetRequiredService<InvocationTelemetry>().Labels,
            sp.GetRequiredService<TimeProvider>()));
        if (observability.Metrics == MetricsAccess.Off && !observability.Tracing)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("stratus"));
        if (observability.Metrics != MetricsAccess.Off)
        {
            telemetry.WithMetrics(metrics => metrics
                .AddMeter(InvocationTelemetry.Name)
                .AddView(instrument => ReferenceEquals(instrument.Meter, meter) ? null : MetricStreamConfiguration.Drop)
                .AddPrometheusExporter(prometheus =>
                {
                    // Every scrape sees every invocation answered before it.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));
        }

        if (observability.Tracing)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(InvocationTelemetry.Name);
                // The ratio applies to callers' sampled traces too: at thousands of invocations a
                // second, recording every one costs more than most operators want to pay. Invocations
                // with a caller's trace are sampled before their span is made (TraceSampling), so the
                // spans that reach the SDK with a sampled remote parent are the ones to record.
                var ratio = new TraceIdRatioBasedSampler(observability.TraceSampleRatio);
                tracing.SetSampler(new ParentBasedSampler(ratio, remoteParentSampled: new AlwaysOnSampler()));
                if (observability.OtlpEndpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(otlp =>
                    {
                        otlp.Protocol = observability.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                        // At thousands of invocations a second (two spans or more each) the SDK's
                        // defaults, 512 spans an export and 2,048 queued, mean about fifty exports a
                        // second and spans dropped in a burst. Larger exports cost both ends less per
                        // span, but spans waiting in the queue outlive young-generation collections
                        // and are promoted: at 4,096 an export the server spent about half again as
                        // long in GC pauses as at 512 under the same load; 2,048 is between the two.
                        otlp.BatchExportProcessorOptions.MaxExportBatchSize = OtlpBatchSize;
                        otlp.BatchExportProcessorOptions.MaxQueueSize = OtlpQueueSize;
                        // When fewer spans come (a sample of the invocations), a batch is sent at
                        // least this often rather than when full: a span kept for half a second
                        // survives collections a span kept for a tenth of one does not.
                        otlp.BatchExportProcessorOptions.ScheduledDelayMilliseconds = OtlpDelayMilliseconds;
                        // Over HTTP the exporter posts to the path given: the collector's traces path.
                        otlp.Endpoint = otlp.Protocol == OtlpExportProtocol.HttpProtobuf
                            ? new Uri(new Uri(endpoint.TrimEnd('/') + "/"), "v1/traces")
                            : new Uri(endpoint);
                    });
                }
            });
        }

        return services;
    }
}
