using Microsoft.Extensions.Hosting;

namespace Stratus.Events;

/// <summary>Starts the scheduler with the server and stops it before the invoker drains.</summary>
internal sealed class SchedulerService(Scheduler scheduler) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        scheduler.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await scheduler.DisposeAsync();
}
