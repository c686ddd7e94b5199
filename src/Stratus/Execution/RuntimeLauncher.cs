using System.Diagnostics;
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

    public RuntimeLauncher(StratusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _runtimesDirectory = options.RuntimesDirectory ?? Path.Combine(AppContext.BaseDirectory, "runtimes");
        _node = FindOnPath("node") ?? "node";
        // Debian's interpreter starts far faster than a version-manager shim found first on PATH.
        _python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : FindOnPath("python3") ?? "python3";
    }

    /// <summary>
    /// Returns the launch script a slot (see <see cref="SlotPool"/>) runs to become this instance, or an
    /// init error (type, message) when the code cannot be started. The script sends stdout and stderr,
    /// in the order written, to the instance's output file (see OutputLog), appending, closes stdin,
    /// sets exactly Lambda's environment and execs the runtime, so the pid stays the slot's.
    /// </summary>
    public (string? Script, string? ErrorType, string? ErrorMessage) Prepare(FunctionDefinition function, string codeDirectory, int runtimeApiPort, string? runtimeApiSocket, string logStreamName, string outputPath, (IReadOnlyList<string> Lines, IReadOnlyList<string> Prefix)? sandbox)
    {
        Runtimes.TryGetFamily(function.Runtime, out var family);
        // Only its argument list (the command) and environment are used.
        var start = new ProcessStartInfo();
        foreach (var argument in sandbox?.Prefix ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        // In the sandbox the code and the runtimes are where Lambda has them.
        var taskRoot = sandbox is null ? codeDirectory : Sandbox.Isolation.TaskRoot;
        var runtimes = sandbox is null ? _runtimesDirectory : Sandbox.Isolation.RuntimeRoot;

        switch (family)
        {
            case RuntimeFamily.Node:
                start.ArgumentList.Add(_node);
                start.ArgumentList.Add(Path.Combine(runtimes, "nodejs", "bootstrap.mjs"));
                if (runtimeApiSocket is not null)
                {
                    start.ArgumentList.Add(runtimeApiSocket);
                }
                break;
            case RuntimeFamily.Python:
                start.ArgumentList.Add(_python);
                start.ArgumentList.Add(Path.Combine(runtimes, "python", "bootstrap.py"));
                if (runtimeApiSocket is not null)
                {
                    start.ArgumentList.Add(runtimeApiSocket);
                }
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
                    start.ArgumentList.Add("/bin/bash");
                }

                start.ArgumentList.Add(Path.Combine(taskRoot, "bootstrap"));
                break;
        }

        var environment = start.Environment;
        environment.Clear();
        foreach (var (key, value) in function.Environment)
        {
            environment[key] = value;
        }

        var memory = function.MemorySize.ToString(CultureInfo.InvariantCulture);
        environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        environment["LANG"] = "en_US.UTF-8";
        environment["TZ"] = ":UTC";
        environment["LD_LIBRARY_PATH"] = "/usr/lib:/lib";
        environment["AWS_LAMBDA_RUNTIME_API"] = $"127.0.0.1:{runtimeApiPort}";
        environment["_HANDLER"] = function.Handler;
        environment["LAMBDA_TASK_ROOT"] = taskRoot;
        environment["LAMBDA_RUNTIME_DIR"] = runtimes;
        environment["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + function.Runtime;
        environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
        environment["AWS_LAMBDA_FUNCTION_NAME"] = function.Name;
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = function.Version;
        environment["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = memory;
        environment["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + function.Name;
        environment["AWS_LAMBDA_LOG_STREAM_NAME"] = logStreamName;
        environment["AWS_REGION"] = _options.Region;
        environment["AWS_DEFAULT_REGION"] = _options.Region;
        if (family == RuntimeFamily.Python)
        {
            environment["PYTHONUNBUFFERED"] = "1";
            environment["PYTHONDONTWRITEBYTECODE"] = "1";
        }

        return (Render(outputPath, sandbox?.Lines ?? [], taskRoot, start), null, null);
    }

    private static string Render(string outputPath, IReadOnlyList<string> setup, string workingDirectory, ProcessStartInfo start)
    {
        var script = new System.Text.StringBuilder();
        script.Append("exec </dev/null >>").Append(Quote(outputPath)).Append(" 2>&1\n");
        foreach (var line in setup)
        {
            script.Append(line).Append('\n');
        }

        script.Append("cd ").Append(Quote(workingDirectory)).Append(" || exit 126\n");
        foreach (var (key, value) in start.Environment)
        {
            script.Append("export ").Append(Quote($"{key}={value}")).Append('\n');
        }

        script.Append("exec");
        foreach (var argument in start.ArgumentList)
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

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
