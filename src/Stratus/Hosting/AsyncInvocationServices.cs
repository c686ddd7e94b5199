using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Api;
using Stratus.Events;
using Stratus.Functions;
using Stratus.Invocation;
using Stratus.Storage;
using Stratus.Storage.Sqlite;

namespace Stratus.Hosting;

/// <summary>Registrations of the durable async invocation queue, its dispatcher and its configuration.</summary>
internal static class AsyncInvocationServices
{
    public static IServiceCollection AddStratusAsyncInvocations(this IServiceCollection services)
    {
        services.TryAddSingleton<IAsyncEventStore>(sp => new SqliteAsyncEventStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton<IEventInvokeConfigStore>(sp => new SqliteEventInvokeConfigStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton(sp => new EventInvokeConfigs(sp.GetRequiredService<IEventInvokeConfigStore>(), sp.GetRequiredService<FunctionRegistry>()));
        services.TryAddSingleton<AsyncSignal>();
        services.TryAddSingleton<IAsyncInvocations>(sp => new DurableAsyncInvocations(
            sp.GetRequiredService<FunctionRegistry>(),
            sp.GetRequiredService<FunctionMapper>(),
            sp.GetRequiredService<IAsyncEventStore>(),
            sp.GetRequiredService<AsyncSignal>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new AsyncDestinations(
            sp.GetRequiredService<IAsyncInvocations>(),
            sp.GetService<IQueueMessages>(),
            sp.GetRequiredService<FunctionMapper>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AsyncDestinations>>()));
        services.TryAddSingleton(sp => new AsyncDispatcher(
            sp.GetRequiredService<IAsyncEventStore>(),
            sp.GetRequiredService<FunctionRegistry>(),
            sp.GetRequiredService<FunctionMapper>(),
            sp.GetRequiredService<Invoker>(),
            sp.GetRequiredService<EventInvokeConfigs>(),
            sp.GetRequiredService<AsyncDestinations>(),
            sp.GetRequiredService<AsyncSignal>(),
            sp.GetRequiredService<IOptions<StratusOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AsyncDispatcher>>()));
        return services;
    }
}
