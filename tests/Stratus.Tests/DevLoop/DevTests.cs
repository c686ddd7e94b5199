using System.Diagnostics;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.DevLoop;

/// <summary><c>stratus dev</c> as a real process: an edit is redeployed and served, and logs stream.</summary>
public sealed class DevTests : ServerWorkspace
{
    [Fact]
    public async Task Dev_EditedHandler_IsRedeployedServedAndLogged()
    {
        var project = Path.Combine(Work, "hello");
        await StratusCommand.RunOfflineAsync("new", "node", "hello", "--output", project);
        await using var dev = DevProcess.Start(project, Host.Endpoint);

        await dev.WaitForLineAsync(line => line.StartsWith("Watching for changes", StringComparison.Ordinal));
        var before = await Host.InvokeAsync("hello", """{"name":"Ada"}""");
        await File.WriteAllTextAsync(Path.Combine(project, "src", "index.js"), "exports.handler = async (e) => ({ message: `Bonjour, ${e.name}!` });");
        var redeployed = await dev.WaitForLineAsync(line => line.StartsWith("function hello: updated", StringComparison.Ordinal));
        var after = await Host.InvokeAsync("hello", """{"name":"Ada"}""");
        var logged = await dev.WaitForLineAsync(line => line.StartsWith("hello | REPORT RequestId:", StringComparison.Ordinal));

        Assert.Equal("""{"message":"Hello, Ada!"}""", before.Body);
        Assert.Equal("function hello: updated (code)", redeployed);
        Assert.Equal("""{"message":"Bonjour, Ada!"}""", after.Body);
        Assert.Contains("Billed Duration", logged);
    }

    [Fact]
    public async Task Dev_BrokenManifestEdit_IsReportedAndTheNextSaveDeploys()
    {
        var project = Path.Combine(Work, "py");
        await StratusCommand.RunOfflineAsync("new", "python", "py", "--output", project);
        var manifest = Path.Combine(project, "stratus.yaml");
        var original = await File.ReadAllTextAsync(manifest);
        await using var dev = DevProcess.Start(project, Host.Endpoint);
        await dev.WaitForLineAsync(line => line.StartsWith("Watching for changes", StringComparison.Ordinal));

        await File.WriteAllTextAsync(manifest, original.Replace("memory: 128", "memory: lots", StringComparison.Ordinal));
        var refused = await dev.WaitForLineAsync(line => line.StartsWith("Not deployed:", StringComparison.Ordinal));
        await File.WriteAllTextAsync(manifest, original.Replace("memory: 128", "memory: 256", StringComparison.Ordinal));
        var updated = await dev.WaitForLineAsync(line => line.StartsWith("function py: updated", StringComparison.Ordinal));

        Assert.Contains("functions.py.memory: must be a whole number of MB from 128 to 10240, not lots", refused);
        Assert.Equal("function py: updated (memory)", updated);
    }

    [Fact]
    public async Task Dev_CodeOutsideTheProject_IsWatchedToo()
    {
        var project = Path.Combine(Work, "app");
        var shared = Path.Combine(Work, "shared");
        Directory.CreateDirectory(project);
        Directory.CreateDirectory(shared);
        await File.WriteAllTextAsync(Path.Combine(shared, "main.py"), "def handler(event, context):\n    return 'one'\n");
        await File.WriteAllTextAsync(Path.Combine(project, "stratus.yaml"), "functions:\n  outside:\n    runtime: python3.12\n    handler: main.handler\n    code: ../shared\n");
        await using var dev = DevProcess.Start(project, Host.Endpoint);
        await dev.WaitForLineAsync(line => line.StartsWith("Watching for changes", StringComparison.Ordinal));

        await File.WriteAllTextAsync(Path.Combine(shared, "main.py"), "def handler(event, context):\n    return 'two'\n");
        var updated = await dev.WaitForLineAsync(line => line.StartsWith("function outside: updated", StringComparison.Ordinal));
        var answer = await Host.InvokeAsync("outside");

        Assert.Equal("function outside: updated (code)", updated);
        Assert.Equal("\"two\"", answer.Body);
    }

    /// <summary>A running <c>stratus dev</c>; its output is read line by line, the test waiting on the line it expects.</summary>
    private sealed class DevProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly List<string> _seen = [];

        private DevProcess(Process process) => _process = process;

        public static DevProcess Start(string project, string endpoint)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in (string[])[StratusCommand.Dll, "dev", project, "--endpoint", endpoint])
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (key, value) in StratusCommand.Environment)
            {
                start.Environment[key] = value;
            }

            var process = Process.Start(start)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            return new DevProcess(process);
        }

        /// <summary>Reads output until a line matches; a bound (not a timing assertion) turns a hang into a failure that shows the output.</summary>
        public async Task<string> WaitForLineAsync(Func<string, bool> match)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                while (await _process.StandardOutput.ReadLineAsync(bound.Token) is { } line)
                {
                    _seen.Add(line);
                    if (match(line))
                    {
                        return line;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Reported below with what was printed.
            }

            throw new InvalidOperationException("stratus dev did not print the expected line; it printed:\n" + string.Join('\n', _seen));
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
