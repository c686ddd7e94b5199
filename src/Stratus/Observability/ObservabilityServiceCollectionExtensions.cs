using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Stratus.Observability;

public static class ObservabilityServiceCollectionExtensions
{
    /// <summary>The console's series, and log retention run in the background.</summary>
    public static IServiceCollection AddStratusObservability(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new InvocationSeries(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<LogRetention>();
        services.AddHostedService<LogRetentionService>();
        return services;
    }
}
