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
        // Signature dates are checked against the wall clock, not the engine's clock: tests run the
        // engine on fake time while their clients sign with the real one.
        services.TryAddSingleton<SigV4.ISigV4Verifier>(sp => new SigV4.SigV4Verifier(
            sp.GetRequiredService<ISecretLookup>(), TimeProvider.System, sp.GetRequiredService<IOptions<StratusOptions>>().Value.Region));
        return services;
    }
}
