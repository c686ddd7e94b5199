using System.Globalization;
using Stratus.Functions;
using Stratus.Hosting;

namespace Stratus.Execution;

/// <summary>
/// Builds the process of one instance: which program runs, with what arguments, in which directory,
/// and with exactly the environment Lambda gives a runtime (nothing of the server's own leaks in).
/// </summary>
internal sealed class RuntimeLauncher
{
    private readonly StratusOptions _options;
    private readonly string _runtimesDirectory;

    public string RuntimesDirectory => _runtimesDirectory;
    private readonly string _node;
    private readonly string _python;
    private readonly string _dotnet;

    public RuntimeLauncher(StratusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _runtimesDirectory = options.RuntimesDirectory ?? Path.Combine(AppContext.BaseDirectory, "runtimes");
        _node = FindOnPath("node") ?? "node";
        // Debian's interpreter starts far faster than a version-manager shim found first on PATH.
        _python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : FindOnPath("python3") ?? "python3";
        _dotnet = DotnetMuxer();
    }

    /// <summary>
    /// Returns the launch script a generic slot (see <see cref="SlotPool"/>) runs to become this
    /// instance, or an init error (type, message) when the code cannot be started. The slot already
    /// writes to the instance's output file and, isolated, already runs as the instance's user; the
    /// script closes stdin, sets exactly Lambda's environment and execs the runtime, so the pid stays
    /// the slot's.
    /// </summary>
    public (string? Script, string? ErrorType, string? ErrorMessage) Prepare(FunctionDefinition function, string codeDirectory, int runtimeApiPort, string? runtimeApiSocket, string? replyPipe, string logStreamName, bool isolated)
    {
        Runtimes.TryGetFamily(function.Runtime, out var family);
        var command = new List<string>();
        switch (family)
        {
            case RuntimeFamily.Node:
            case RuntimeFamily.Python:
                command.AddRange(RuntimeCommand(family, isolated));
                if (runtimeApiSocket is not null)
                {
                    command.Add(runtimeApiSocket);
                    if (family == RuntimeFamily.Node && replyPipe is not null)
                    {
                        command.Add(replyPipe);
                    }
                }
                break;
            case RuntimeFamily.Dotnet:
                // The host loads the function's assembly from the task root; see src/Stratus.Runtime.Host.
                command.Add(_dotnet);
                command.Add("exec");
                command.Add(Path.Combine(isolated ? Sandbox.Isolation.RuntimeRoot : _runtimesDirectory, "dotnet", "Stratus.Runtime.Host.dll"));
                break;
            default:
                var bootstrap = Path.Combine(codeDirectory, "bootstrap");
                if (!File.Exists(bootstrap))
                {
                    return (null, "Runtime.InvalidEntrypoint", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
                }

                // Lambda's Amazon Linux has bash as /bin/sh; custom runtimes written for it use bash features.
                if (StartsWithShShebang(bootstrap))
                {
                    command.Add("/bin/bash");
                }

                command.Add(Path.Combine(isolated ? Sandbox.Isolation.TaskRoot : codeDirectory, "bootstrap"));
                break;
        }

        var taskRoot = isolated ? Sandbox.Isolation.TaskRoot : codeDirectory;
        return (Render(taskRoot, Environment(function, family, runtimeApiPort, taskRoot, isolated, logStreamName), command), null, null);
    }

    /// <summary>
    /// Whether a standby runtime can become an instance of <paramref name="function"/>: node and python
    /// functions whose environment sets nothing the interpreter reads only while it boots.
    /// </summary>
    public static bool CanUseStandby(FunctionDefinition function, out RuntimeFamily family) =>
        Runtimes.TryGetFamily(function.Runtime, out family)
        && family is RuntimeFamily.Node or RuntimeFamily.Python
        && !function.Environment.Keys.Any(key => ReadAtBoot.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal)));

    // NODE_OPTIONS, NODE_PATH, UV_THREADPOOL_SIZE, PYTHONPATH, LD_PRELOAD, MALLOC_ARENA_MAX, LC_ALL...
    private static readonly string[] ReadAtBoot = ["NODE_", "UV_", "PYTHON", "LD_", "MALLOC_", "LC_"];

    /// <summary>
    /// The command of a standby runtime of <paramref name="family"/> (connecting ahead of time to the
    /// Runtime API at <paramref name="socket"/>, if given, and reading its answers from
    /// <paramref name="replyPipe"/>, if given: see <see cref="ReplyPipe"/>), or null for a family without one.
    /// </summary>
    public IReadOnlyList<string>? StandbyCommand(RuntimeFamily family, bool isolated, string? socket, string? replyPipe = null) =>
        family is RuntimeFamily.Node or RuntimeFamily.Python
            ? [.. RuntimeCommand(family, isolated), "--standby", .. socket is null ? Array.Empty<string>() : replyPipe is null ? [socket] : [socket, replyPipe]]
            : null;

    /// <summary>The environment a standby runtime boots with: what the interpreter reads at boot, as a function's instance has it.</summary>
    public static IEnumerable<KeyValuePair<string, string>> StandbyEnvironment(RuntimeFamily family)
    {
        yield return new("PATH", SearchPath);
        yield return new("LANG", Lang);
        yield return new("TZ", Tz);
        yield return new("LD_LIBRARY_PATH", LibraryPath);
        if (family == RuntimeFamily.Python)
        {
            yield return new("PYTHONUNBUFFERED", "1");
            yield return new("PYTHONDONTWRITEBYTECODE", "1");
        }
    }

    /// <summary>
    /// The one line a standby runtime reads to become an instance of <paramref name="function"/>: its
    /// environment, working directory and Runtime API socket. (Isolated, it already runs as the
    /// instance's user, and finds the function's code mounted at /var/task.)
    /// </summary>
    public string Specialise(FunctionDefinition function, string codeDirectory, int runtimeApiPort, string? runtimeApiSocket, string logStreamName, bool isolated)
    {
        Runtimes.TryGetFamily(function.Runtime, out var family);
        var taskRoot = isolated ? Sandbox.Isolation.TaskRoot : codeDirectory;
        var specification = new StandbySpecification
        {
            Environment = Environment(function, family, runtimeApiPort, taskRoot, isolated, logStreamName),
            WorkingDirectory = taskRoot,
            Socket = runtimeApiSocket,
        };
        return System.Text.Json.JsonSerializer.Serialize(specification, StandbySpecificationContext.Default.StandbySpecification);
    }

    private string[] RuntimeCommand(RuntimeFamily family, bool isolated)
    {
        var runtimes = isolated ? Sandbox.Isolation.RuntimeRoot : _runtimesDirectory;
        return family == RuntimeFamily.Node
            ? [_node, Path.Combine(runtimes, "nodejs", "bootstrap.mjs")]
            : [_python, Path.Combine(runtimes, "python", "bootstrap.py")];
    }

    private const string SearchPath = "/usr/local/bin:/usr/bin:/bin";
    private const string Lang = "en_US.UTF-8";
    private const string Tz = ":UTC";
    private const string LibraryPath = "/usr/lib:/lib";

    /// <summary>Exactly the environment Lambda gives a runtime: the function's variables, then Lambda's own.</summary>
    private Dictionary<string, string> Environment(FunctionDefinition function, RuntimeFamily? family, int runtimeApiPort, string taskRoot, bool isolated, string logStreamName)
    {
        var environment = new Dictionary<string, string>(function.Environment, StringComparer.Ordinal)
        {
            ["PATH"] = SearchPath,
            ["LANG"] = Lang,
            ["TZ"] = Tz,
            ["LD_LIBRARY_PATH"] = LibraryPath,
            ["AWS_LAMBDA_RUNTIME_API"] = $"127.0.0.1:{runtimeApiPort}",
            ["_HANDLER"] = function.Handler,
            ["LAMBDA_TASK_ROOT"] = taskRoot,
            ["LAMBDA_RUNTIME_DIR"] = isolated ? Sandbox.Isolation.RuntimeRoot : _runtimesDirectory,
            ["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + function.Runtime,
            ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand",
            ["AWS_LAMBDA_FUNCTION_NAME"] = function.FunctionName,
            ["AWS_LAMBDA_FUNCTION_VERSION"] = function.Version,
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = function.MemorySize.ToString(CultureInfo.InvariantCulture),
            ["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + function.FunctionName,
            ["AWS_LAMBDA_LOG_STREAM_NAME"] = logStreamName,
            ["AWS_REGION"] = _options.Region,
            ["AWS_DEFAULT_REGION"] = _options.Region,
        };
        if (family == RuntimeFamily.Python)
        {
            environment["PYTHONUNBUFFERED"] = "1";
            environment["PYTHONDONTWRITEBYTECODE"] = "1";
        }

        return environment;
    }

    private static string Render(string workingDirectory, Dictionary<string, string> environment, List<string> command)
    {
        var script = new System.Text.StringBuilder();
        script.Append("exec </dev/null\n");
        script.Append("cd ").Append(Quote(workingDirectory)).Append(" || exit 126\n");
        foreach (var (key, value) in environment)
        {
            script.Append("export ").Append(Quote($"{key}={value}")).Append('\n');
        }

        script.Append("exec");
        foreach (var argument in command)
        {
            script.Append(' ').Append(Quote(argument));
        }

        return script.Append('\n').ToString();
    }

    /// <summary>A shell word that stands for exactly <paramref name="text"/>.</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static bool StartsWithShShebang(string path)
    {
        Span<byte> head = stackalloc byte[12];
        using var file = File.OpenRead(path);
        var read = file.Read(head);
        var text = head[..read];
        return text.StartsWith("#!/bin/sh\n"u8) || text.StartsWith("#!/bin/sh \n"u8) || text.StartsWith("#!/bin/sh\r"u8)
            || text.StartsWith("#!/bin/sh -"u8);
    }

    /// <summary>
    /// The <c>dotnet</c> of the runtime this server runs on (so the function's runtime is one known to be
    /// installed and readable), else the one on PATH.
    /// </summary>
    private static string DotnetMuxer()
    {
        var root = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var muxer = Path.Combine(root, "dotnet");
        return File.Exists(muxer) ? muxer : FindOnPath("dotnet") ?? "dotnet";
    }

    private static string? FindOnPath(string program) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
