using Microsoft.Extensions.Hosting;

namespace Stratus.Observability.Otlp;

/// <summary>Runs the <see cref="TraceExporter"/> while the server runs; a stop sends what it still holds.</summary>
internal sealed class TraceExportService(TraceExporter exporter) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => exporter.RunAsync(stoppingToken);
}
