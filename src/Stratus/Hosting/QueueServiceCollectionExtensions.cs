using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stratus.Events;
using Stratus.Events.Mappings;
using Stratus.Events.Queues;
using Stratus.Storage;
using Stratus.Storage.Sqlite;

namespace Stratus.Hosting;

internal static class QueueServiceCollectionExtensions
{
    /// <summary>Queues, the SQS API's service and event source mappings, on the embedded store.</summary>
    public static IServiceCollection AddStratusQueues(this IServiceCollection services)
    {
        services.TryAddSingleton<IQueueStore>(sp => new SqliteQueueStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton(sp => new QueueService(
            sp.GetRequiredService<IQueueStore>(),
            sp.GetRequiredService<IOptions<StratusOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IQueueMessages>(sp => sp.GetRequiredService<QueueService>());
        services.TryAddSingleton<IEventSourceMappingStore>(sp => new SqliteEventSourceMappingStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton<EventSourceMappings>();
        services.AddHostedService<EventSourceMappingHost>();
        return services;
    }
}
