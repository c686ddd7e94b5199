using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Hosting;
using Stratus.Storage.Sqlite;

namespace Stratus.Tenancy;

internal static class TenancyServiceCollectionExtensions
{
    public static IServiceCollection AddStratusTenancy(this IServiceCollection services)
    {
        services.TryAddSingleton(new TenancyConsole(Console.Error));
        services.TryAddSingleton<IAccountStore>(sp => new SqliteAccountStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StratusOptions>>().Value;
            return AccountDirectory.Open(
                sp.GetRequiredService<IAccountStore>(),
                options.MasterKey,
                options.DataDirectory,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<AccountDirectory>>());
        });
        services.TryAddSingleton<ISecretLookup>(sp => sp.GetRequiredService<AccountDirectory>());
        return services;
    }
}
