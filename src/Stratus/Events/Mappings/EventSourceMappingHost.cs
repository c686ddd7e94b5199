using Microsoft.Extensions.Hosting;

namespace Stratus.Events.Mappings;

/// <summary>Resumes the stored mappings when the server starts and stops their pollers when it stops.</summary>
internal sealed class EventSourceMappingHost(EventSourceMappings mappings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        mappings.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => mappings.StopAsync().AsTask();
}
