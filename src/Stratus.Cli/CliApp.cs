using System.CommandLine;
using Spectre.Console;

namespace Stratus.Cli;

/// <summary>The <c>stratus</c> command: the server and the client verbs in one binary.</summary>
internal static class CliApp
{
    public const string DefaultEndpoint = "http://127.0.0.1:9000";

    public static readonly Option<string> Endpoint = new("--endpoint")
    {
        Description = "Stratus server to talk to (env STRATUS_ENDPOINT)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("STRATUS_ENDPOINT") ?? DefaultEndpoint,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON instead of tables",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        // Piped output has no terminal to measure: COLUMNS, when set, says how wide tables may be.
        if (Console.IsOutputRedirected && int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0)
        {
            Out.Profile.Width = columns;
        }

        var root = new RootCommand("Stratus: your Lambda functions, on your own machines.");
        root.Options.Add(Endpoint);
        root.Options.Add(Json);
        root.Subcommands.Add(ServerCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        foreach (var command in FunctionCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(ScheduleCommands.Create());
        root.Subcommands.Add(NewCommand.Create());
        root.Subcommands.Add(ApplyCommand.Create());
        root.Subcommands.Add(DevCommand.Create());
        root.Subcommands.Add(AccountCommands.Account());
        root.Subcommands.Add(AccountCommands.Key());
        root.Subcommands.Add(UsageCommand.Create());
        root.Subcommands.Add(InvoiceCommand.Create());
        root.Subcommands.Add(ReleaseCommands.Release());
        root.Subcommands.Add(ReleaseCommands.Rollback());

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine(error.Message);
            }

            return ExitCodes.Usage;
        }

        // The server handles SIGTERM and Ctrl-C itself (a clean stop, exit 0); the parser must not turn them into 143/130.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>Runs a client verb, mapping failures to messages and exit codes.</summary>
    public static async Task<int> ClientAsync(ParseResult parse, Func<StratusClient, Task<int>> action)
    {
        var endpoint = parse.GetValue(Endpoint)!;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            Console.Error.WriteLine($"--endpoint must be an absolute URL such as {DefaultEndpoint}");
            return ExitCodes.Usage;
        }

        using var client = new StratusClient(uri, ClientCredentials.Resolve(Environment.GetEnvironmentVariable));
        try
        {
            return await action(client);
        }
        catch (ApiException ex)
        {
            Console.Error.WriteLine($"{ex.ErrorType}: {ex.Message}");
            if (ex.ErrorType is "MissingAuthenticationTokenException" or "UnrecognizedClientException" or "InvalidSignatureException")
            {
                Console.Error.WriteLine("Sign in with an access key: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE (a server's first start writes DATA/credentials with profile [stratus]).");
            }

            return ExitCodes.RequestFailed;
        }
        catch (UnreachableException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return ExitCodes.Unreachable;
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return ExitCodes.Usage;
        }
    }

    public static IAnsiConsole Out { get; set; } = AnsiConsole.Console;
}

internal sealed class UsageException(string message) : Exception(message);
