using System.Diagnostics;
using System.Globalization;

namespace Stratus.Tests.Infrastructure;

/// <summary>
/// <c>stratus server</c> as an operator runs it: a child process on an ephemeral port, which a test
/// can SIGKILL (the server alone: its instances live on, as after a crash) or stop with SIGTERM.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ServerProcess(Process process, Task<string> stderr, Uri address)
    {
        _process = process;
        _stderr = stderr;
        Http = TestCredentials.Client(address, timeout: TimeSpan.FromMinutes(1));
    }

    public HttpClient Http { get; }

    public int Id => _process.Id;

    /// <summary>Starts a server on <paramref name="data"/> with extra <paramref name="options"/>; returns once it listens.</summary>
    public static async Task<ServerProcess> StartAsync(string data, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "stratus.dll"), "server", "--listen", "127.0.0.1:0", "--data", data, .. options])
        {
            start.ArgumentList.Add(argument);
        }

        // A start can fail when another server on this machine sweeps /run/stratus-* of a killed
        // one at the same moment (those directories are keyed by pid); a second start is clean.
        for (var attempt = 1; ; attempt++)
        {
            var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var line = await process.StandardOutput.ReadLineAsync();
            if (line?.StartsWith("Stratus listening on ", StringComparison.Ordinal) == true)
            {
                return new ServerProcess(process, stderr, new Uri(line["Stratus listening on ".Length..]));
            }

            await process.WaitForExitAsync();
            var error = await stderr;
            process.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"stratus server printed '{line}' and exited: {error}");
            }
        }
    }

    /// <summary>SIGKILL to the server process alone, as a crash would; waits until it is gone.</summary>
    public void Kill()
    {
        Signal(9);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, and waits (bounded) for the server to stop.</summary>
    public async Task StopAsync()
    {
        Signal(15);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(patience.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _stderr;
        _process.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        }
    }
}
