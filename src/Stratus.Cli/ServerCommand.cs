using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Stratus.Hosting;

namespace Stratus.Cli;

/// <summary><c>stratus server</c>: runs the platform in this process until SIGTERM or Ctrl-C.</summary>
internal static class ServerCommand
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to accept requests on", DefaultValueFactory = _ => StratusOptions.DefaultListen };
        var data = new Option<string>("--data") { Description = "Directory for state, code and logs", DefaultValueFactory = _ => StratusOptions.DefaultDataDirectory };
        var keepAlive = new Option<int>("--keep-alive") { Description = "Seconds an idle instance stays warm (adaptive policy: until a function's idle times are known)", DefaultValueFactory = _ => StratusOptions.DefaultKeepAliveSeconds };
        var keepAlivePolicy = new Option<string>("--keep-alive-policy")
        {
            Description = "adaptive: each function's keep-alive and pre-warming follow its idle times; fixed: --keep-alive for all",
            DefaultValueFactory = _ => StratusOptions.DefaultKeepAlivePolicy.ToString().ToLowerInvariant(),
        };
        keepAlivePolicy.AcceptOnlyFromAmong("adaptive", "fixed");
        var concurrency = new Option<int>("--concurrency") { Description = "Invocations that may be in flight at once (over it: 429)", DefaultValueFactory = _ => StratusOptions.DefaultConcurrencyLimit };
        var region = new Option<string>("--region") { Description = "Region reported in ARNs and to functions", DefaultValueFactory = _ => StratusOptions.DefaultRegion };
        var verbose = new Option<bool>("--verbose") { Description = "Log instance lifecycle events" };
        var noLimits = new Option<bool>("--no-limits") { Description = "Do not bound instances' memory, CPU and processes with cgroups" };
        var memoryBudget = new Option<long?>("--memory-budget") { Description = "MB the live instances may be configured with together (default: 80% of the machine)" };
        var burst = new Option<int>("--burst") { Description = "New instances one function may start per 10 seconds", DefaultValueFactory = _ => StratusOptions.DefaultBurstInstances };
        var standby = new Option<int>("--standby-runtimes") { Description = "Node and python processes each kept booted for the next cold start (0: none)", DefaultValueFactory = _ => StratusOptions.DefaultStandbyRuntimes };
        var asyncRetryDelay = new Option<int>("--async-retry-delay") { Description = "Seconds before the first retry of a failed async event; the second waits twice as long", DefaultValueFactory = _ => StratusOptions.DefaultAsyncRetryDelaySeconds };
        var noIsolation = new Option<bool>("--no-isolation") { Description = "Run instances as Stratus's own user, without their own /tmp" };
        var noCpuPlacement = new Option<bool>("--no-cpu-placement") { Description = "Let the kernel choose where instances run instead of spreading them over the cores, one core per 1769 MB" };
        var publicUrl = new Option<string?>("--public-url") { Description = "Address users reach this server at behind a proxy; function URLs are shown on it" };
        var command = new Command("server", "Start Stratus (embedded storage, no other services needed)") { listen, data, keepAlive, keepAlivePolicy, concurrency, region, verbose, noLimits, noIsolation, noCpuPlacement, memoryBudget, burst, standby, publicUrl };
        command.Options.Add(asyncRetryDelay);
        var insecure = new Option<bool>("--insecure-any-signature") { Description = "Development only: accept requests whatever their signature (the server warns at start)" };
        command.Options.Add(insecure);
        var logRetention = new Option<int>("--log-retention-days") { Description = "Days invocation logs are kept", DefaultValueFactory = _ => StratusOptions.DefaultLogRetentionDays };
        command.Options.Add(logRetention);
        var logMax = new Option<long>("--log-max-mb") { Description = "MB of log text kept; beyond it the oldest logs are deleted", DefaultValueFactory = _ => StratusOptions.DefaultLogMaxMegabytes };
        command.Options.Add(logMax);
        var routingSeed = new Option<int?>("--routing-seed") { Description = "Seed for the choice of version by weighted aliases, to repeat a run exactly (default: random)" };
        command.Options.Add(routingSeed);
        var noMetering = new Option<bool>("--no-metering") { Description = "Benchmarking only: record no usage (nothing is billed, no spending cap holds)" };
        command.Options.Add(noMetering);
        var pricePlan = new Option<string?>("--price-plan") { Description = "JSON file of the price plan for invoices and spending caps (default: Lambda's x86 prices and free tier)" };
        command.Options.Add(pricePlan);
        var metrics = new Option<string>("--metrics") { Description = "Who may scrape /metrics: loopback (callers on this machine), open (anyone) or off (no metrics recorded)", DefaultValueFactory = _ => "loopback" };
        metrics.AcceptOnlyFromAmong("loopback", "open", "off");
        var metricsLabels = new Option<int>("--metrics-function-labels") { Description = "Functions with a label of their own in metrics; later ones share the label \"other\"", DefaultValueFactory = _ => Observability.ObservabilityOptions.DefaultFunctionLabelLimit };
        var otlpEndpoint = new Option<string?>("--otlp-endpoint") { Description = "Send invocation traces with OTLP to this collector, e.g. http://127.0.0.1:4318 (default: no traces)" };
        var otlpProtocol = new Option<string>("--otlp-protocol") { Description = "OTLP transport", DefaultValueFactory = _ => "http/protobuf" };
        otlpProtocol.AcceptOnlyFromAmong("http/protobuf", "grpc");
        var traceRatio = new Option<double>("--trace-sample-ratio") { Description = "Share of invocations traced, 0 to 1 (callers' sampled traces included)", DefaultValueFactory = _ => 1 };
        var noLogCapture = new Option<bool>("--no-log-capture") { Description = "Do not store invocation logs (for measuring what capturing them costs)" };
        command.Options.Add(metrics);
        command.Options.Add(metricsLabels);
        command.Options.Add(otlpEndpoint);
        command.Options.Add(otlpProtocol);
        command.Options.Add(traceRatio);
        command.Options.Add(noLogCapture);
        command.SetAction(async (parse, _) =>
        {
            if (!TryParseEndpoint(parse.GetValue(listen)!, out var endpoint))
            {
                Console.Error.WriteLine("--listen must be HOST:PORT, e.g. 127.0.0.1:9000");
                return ExitCodes.Usage;
            }

            var options = new StratusOptions
            {
                DataDirectory = Path.GetFullPath(parse.GetValue(data)!),
                KeepAlive = TimeSpan.FromSeconds(parse.GetValue(keepAlive)),
                KeepAlivePolicy = Enum.Parse<KeepAliveMode>(parse.GetValue(keepAlivePolicy)!, ignoreCase: true),
                ConcurrencyLimit = parse.GetValue(concurrency),
                Region = parse.GetValue(region)!,
                ResourceLimits = !parse.GetValue(noLimits),
                Isolation = !parse.GetValue(noIsolation),
                CpuPlacement = !parse.GetValue(noCpuPlacement),
                MemoryBudgetMb = parse.GetValue(memoryBudget),
                BurstInstances = parse.GetValue(burst),
                StandbyRuntimes = parse.GetValue(standby),
                PublicUrl = parse.GetValue(publicUrl),
                AsyncRetryDelay = TimeSpan.FromSeconds(parse.GetValue(asyncRetryDelay)),
                InsecureAnySignature = parse.GetValue(insecure),
                LogRetention = TimeSpan.FromDays(parse.GetValue(logRetention)),
                LogMaxMegabytes = parse.GetValue(logMax),
                Metering = !parse.GetValue(noMetering),
                RoutingSeed = parse.GetValue(routingSeed),
                Observability = new Observability.ObservabilityOptions
                {
                    Metrics = Enum.Parse<Observability.MetricsAccess>(parse.GetValue(metrics)!, ignoreCase: true),
                    FunctionLabelLimit = parse.GetValue(metricsLabels),
                    OtlpEndpoint = parse.GetValue(otlpEndpoint),
                    OtlpProtocol = parse.GetValue(otlpProtocol)!,
                    TraceSampleRatio = parse.GetValue(traceRatio),
                    LogCapture = !parse.GetValue(noLogCapture),
                },
            };
            if (parse.GetValue(pricePlan) is { } planFile)
            {
                try
                {
                    options.PricePlan = Billing.PricePlan.Parse(File.ReadAllText(planFile));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
                {
                    Console.Error.WriteLine($"--price-plan {planFile}: {ex.Message}");
                    return ExitCodes.Usage;
                }
            }

            Tenancy.TenancyEnvironment.Apply(options, Environment.GetEnvironmentVariable);
            var problem = options.Validate();
            if (problem.Length > 0)
            {
                Console.Error.WriteLine(problem);
                return ExitCodes.Usage;
            }

            // Socket I/O completes on the event loop thread instead of a thread-pool worker it would
            // wake: with the runtimes on the same cores, each hand-off is a context switch. Read when
            // the first socket is made, so set before the server starts; an explicit setting wins.
            if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
            {
                Environment.SetEnvironmentVariable(InlineCompletions, "1");
            }

            var level = parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information;
            StratusServer server;
            try
            {
                // Logs go to stderr; stdout carries only the "listening" and "stopped" lines scripts wait for.
                server = await StratusServer.StartAsync(endpoint, o => Copy(options, o), logging => logging
                    .AddSimpleConsole(console => console.SingleLine = true)
                    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
                    .SetMinimumLevel(level)
                    .AddFilter("Microsoft", LogLevel.Warning));
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"Cannot listen on {endpoint}: {ex.Message}");
                return ExitCodes.Unreachable;
            }
            catch (Tenancy.TenancyStartupException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return ExitCodes.Usage;
            }

            // SIGTERM and Ctrl-C start a clean stop; the process exits when it is done, with code 0.
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.TrySetResult();
            }

            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
            Console.WriteLine($"Stratus listening on {server.Address.GetLeftPart(UriPartial.Authority)}");
            await Task.WhenAny(stop.Task, server.WaitForShutdownAsync());
            await server.DisposeAsync();
            Console.WriteLine("Stratus stopped");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Copy(StratusOptions from, StratusOptions to)
    {
        to.DataDirectory = from.DataDirectory;
        to.KeepAlive = from.KeepAlive;
        to.KeepAlivePolicy = from.KeepAlivePolicy;
        to.ConcurrencyLimit = from.ConcurrencyLimit;
        to.Region = from.Region;
        to.ResourceLimits = from.ResourceLimits;
        to.Isolation = from.Isolation;
        to.CpuPlacement = from.CpuPlacement;
        to.MemoryBudgetMb = from.MemoryBudgetMb;
        to.BurstInstances = from.BurstInstances;
        to.StandbyRuntimes = from.StandbyRuntimes;
        to.PublicUrl = from.PublicUrl;
        to.AsyncRetryDelay = from.AsyncRetryDelay;
        to.MasterKey = from.MasterKey;
        to.RootAccessKeyId = from.RootAccessKeyId;
        to.RootSecretAccessKey = from.RootSecretAccessKey;
        to.InsecureAnySignature = from.InsecureAnySignature;
        to.Metering = from.Metering;
        to.RoutingSeed = from.RoutingSeed;
        to.PricePlan = from.PricePlan;
        to.Observability = from.Observability;
    }

    internal static bool TryParseEndpoint(string value, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
        {
            return false;
        }

        var host = value[..colon].Trim('[', ']');
        if (host == "localhost")
        {
            host = "127.0.0.1";
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
