using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Api;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Invocation;
using Stratus.Observability;
using Stratus.Storage;
using Stratus.Storage.Sqlite;

namespace Stratus.Hosting;

public static class StratusServiceCollectionExtensions
{
    /// <summary>Registers a single-node Stratus with embedded (SQLite) storage.</summary>
    public static IServiceCollection AddStratus(this IServiceCollection services, Action<StratusOptions> configure)
    {
        services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StratusOptions>>().Value;
            Directory.CreateDirectory(options.DataDirectory);
            return new SqliteDatabase(Path.Combine(options.DataDirectory, "stratus.db"));
        });
        services.TryAddSingleton<IFunctionStore>(sp => new SqliteFunctionStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton<ILogStore>(sp => new SqliteLogStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton(sp => new CodeStore(sp.GetRequiredService<IOptions<StratusOptions>>().Value.DataDirectory));
        services.TryAddSingleton<IReleaseStore>(sp => new SqliteReleaseStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton(sp => new FunctionRegistry(
            sp.GetRequiredService<IFunctionStore>(),
            sp.GetRequiredService<CodeStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<StratusOptions>>().Value.AccountId,
            sp.GetRequiredService<IReleaseStore>(),
            sp.GetRequiredService<IOptions<StratusOptions>>().Value.RoutingSeed is { } seed ? new Random(seed) : null));
        services.TryAddSingleton(sp => new CodeLinks(TimeProvider.System));
        services.TryAddSingleton(sp => new FunctionMapper(sp.GetRequiredService<IOptions<StratusOptions>>().Value));
        services.TryAddSingleton(sp => new ConcurrencyLimits(
            sp.GetRequiredService<IOptions<StratusOptions>>().Value.ConcurrencyLimit,
            sp.GetRequiredService<IFunctionStore>().LoadReservedConcurrency(),
            account => sp.GetRequiredService<Tenancy.AccountDirectory>().QuotasOf(account).ConcurrencyLimit));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<StratusOptions>>().Value.ResourceLimits
            ? Sandbox.Cgroups.Detect()
            : Sandbox.Cgroups.None("resource limits are turned off (--no-limits)"));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<StratusOptions>>().Value.Isolation
            ? Sandbox.Isolation.Detect()
            : Sandbox.Isolation.Off("turned off (--no-isolation)"));
        services.TryAddSingleton(sp => new ExecutionEngine(
            sp.GetRequiredService<IOptions<StratusOptions>>(),
            sp.GetRequiredService<FunctionRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<Sandbox.Cgroups>(),
            sp.GetRequiredService<Sandbox.Isolation>(),
            sp.GetRequiredService<ConcurrencyLimits>(),
            sp.GetRequiredService<IFunctionStore>().LoadProvisionedConcurrency()));
        services.TryAddSingleton(sp => new LogSink(sp.GetRequiredService<ILogStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LogSink>>()));
        services.TryAddSingleton<Billing.IUsageStore>(sp => new Billing.SqliteUsageStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton(sp => new Billing.UsageLedger(
            sp.GetRequiredService<Billing.IUsageStore>(),
            Path.Combine(sp.GetRequiredService<IOptions<StratusOptions>>().Value.DataDirectory, "usage-journal"),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Billing.UsageLedger>>()));
        services.TryAddSingleton(sp => new Billing.Charges(sp.GetRequiredService<IOptions<StratusOptions>>().Value.PricePlan));
        services.TryAddSingleton<Billing.ISpendingCapStore>(sp => new Billing.SqliteSpendingCapStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton<Billing.SpendingCaps>();
        var observability = new StratusOptions();
        configure(observability);
        services.AddStratusObservability(observability.Observability);
        services.TryAddSingleton(sp => new Invoker(
            sp.GetRequiredService<ExecutionEngine>(),
            sp.GetRequiredService<LogSink>(),
            sp.GetRequiredService<Billing.UsageLedger>(),
            sp.GetRequiredService<Billing.SpendingCaps>(),
            sp.GetRequiredService<InvocationTelemetry>(),
            sp.GetRequiredService<IOptions<StratusOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Invoker>>(),
            sp.GetRequiredService<InvocationSeries>()));
        services.AddStratusAsyncInvocations();
        services.TryAddSingleton<IFunctionUrlStore>(sp => new SqliteFunctionUrlStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton(sp => new Events.Urls.FunctionUrls(
            sp.GetRequiredService<IFunctionUrlStore>(), sp.GetRequiredService<FunctionRegistry>(), sp.GetRequiredService<TimeProvider>()));
        services.AddStratusQueues();
        services.TryAddSingleton<IScheduleStore>(sp => new SqliteScheduleStore(sp.GetRequiredService<SqliteDatabase>()));
        services.TryAddSingleton(sp => new Events.Scheduler(
            sp.GetRequiredService<IScheduleStore>(),
            sp.GetRequiredService<IAsyncInvocations>(),
            sp.GetRequiredService<IOptions<StratusOptions>>().Value.Region,
            sp.GetRequiredService<IOptions<StratusOptions>>().Value.AccountId,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<Events.Scheduler>>()));
        services.AddHostedService<Events.SchedulerService>();
        Tenancy.TenancyServiceCollectionExtensions.AddStratusTenancy(services);
        return services;
    }
}
