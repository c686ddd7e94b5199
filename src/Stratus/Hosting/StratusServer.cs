using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Stratus.Api;
using Stratus.Execution;
using Stratus.Invocation;
using Stratus.Observability;
using Stratus.WebConsole;

namespace Stratus.Hosting;

/// <summary>A running Stratus server: the front door on Kestrel plus everything behind it.</summary>
public sealed class StratusServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private StratusServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the server accepts requests, e.g. <c>http://127.0.0.1:9000</c>.</summary>
    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<StratusServer> StartAsync(IPEndPoint listen, Action<StratusOptions> configure, Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }

        // ASP.NET Core makes an Activity for every request while its hosting category can log at any
        // level (its request-start and -finish lines), whether or not anything records it: about a
        // microsecond of each Invoke. Stratus's own spans carry the traces; those lines are not wanted.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = Functions.FunctionLimits.MaxControlRequestBytes;
            kestrel.Listen(listen);
        });
        // Request handling continues on the thread whose I/O completed it, and a response is sent by the
        // thread that writes it: an Invoke answered by a runtime is sent to the caller by the Runtime
        // API thread that read the answer, with no hand-off to another thread. Handlers that block
        // (the control API) move to the thread pool first: see OffloadMiddleware.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));
        services?.Invoke(builder.Services);
        builder.Services.AddStratus(configure);
        builder.Services.AddRouting();

        var app = builder.Build();
        try
        {
            Tenancy.TenancyStartup.Run(app.Services);
        }
        catch (Tenancy.TenancyStartupException)
        {
            await app.DisposeAsync();
            throw;
        }
        app.UseStratusMetrics();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseMiddleware<Events.Urls.FunctionUrlMiddleware>();
        app.UseMiddleware<Tenancy.AuthenticationMiddleware>();
        app.UseMiddleware<OffloadMiddleware>();
        app.MapNativeApi();
        app.MapObservabilityApi();
        app.MapConsole();
        app.MapControlApi();
        app.MapReleaseApi();
        app.MapProvisionedConcurrencyApi();
        app.MapConcurrencyApi();
        app.MapInvokeApi();
        app.MapFunctionUrlApi();
        app.MapEventInvokeConfigApi();
        app.Services.GetRequiredService<AsyncDispatcher>().Start();
        Events.Queues.SqsApi.MapSqsApi(app);
        Events.Mappings.EventSourceMappingApi.MapEventSourceMappingApi(app);
        app.MapScheduleApi();
        Tenancy.AccountApi.MapAccountApi(app);
        app.MapUsageApi();
        app.MapInvoiceApi();
        app.MapSpendingCapApi();
        await app.StartAsync();

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StratusServer(app, new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl-C).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <summary>
    /// Stops cleanly: no new requests, in-flight invocations finish (or fail when the grace period
    /// ends), background invocations drain, every instance process is stopped, logs are stored.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.Services.GetRequiredService<AsyncDispatcher>().DisposeAsync();
        await _app.Services.GetRequiredService<ExecutionEngine>().DisposeAsync();
        await _app.Services.GetRequiredService<LogSink>().DisposeAsync();
        // After the engine: the records of invocations the stop ended are committed too.
        await _app.Services.GetRequiredService<Billing.UsageLedger>().DisposeAsync();
        await _app.DisposeAsync();
    }
}
