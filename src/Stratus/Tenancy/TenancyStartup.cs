using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Hosting;

namespace Stratus.Tenancy;

/// <summary>Where tenancy output meant for the operator's eyes only goes (stderr: stdout carries the lines scripts wait for).</summary>
public sealed record TenancyConsole(TextWriter Writer);

/// <summary>Runs before the server accepts requests: master key checked, root account made on first start.</summary>
internal static partial class TenancyStartup
{
    public static void Run(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StratusOptions>>().Value;
        var console = services.GetRequiredService<TenancyConsole>().Writer;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Stratus.Tenancy");
        var problem = TenancyEnvironment.Validate(options);
        if (problem.Length > 0)
        {
            throw new TenancyStartupException(problem);
        }

        var directory = services.GetRequiredService<AccountDirectory>();
        RootAccount.Ensure(directory, options, console, logger);
        if (options.InsecureAnySignature)
        {
            Log.InsecureMode(logger);
            console.WriteLine("WARNING: --insecure-any-signature is on: requests are accepted whatever their signature. Development only; never expose this server.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "INSECURE: --insecure-any-signature is on; any signature is accepted. Use it for development only, never on a reachable address.")]
        public static partial void InsecureMode(ILogger logger);
    }
}
