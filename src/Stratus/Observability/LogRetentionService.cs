using Microsoft.Extensions.Hosting;

namespace Stratus.Observability;

/// <summary>Runs <see cref="Observability.LogRetention"/> in the background while the server runs.</summary>
internal sealed class LogRetentionService(LogRetention retention) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await retention.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
