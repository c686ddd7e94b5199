using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Cli;

/// <summary>`stratus server` as an operator runs it: a separate process, stopped with SIGTERM, or killed.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task Server_PrintsListeningLine_AndSigtermStopsItWithNoInstanceLeft()
    {
        var data = Directory.CreateTempSubdirectory("stratus-server-").FullName;
        using var server = Start(data);
        var stderr = server.StandardError.ReadToEndAsync();
        try
        {
            var line = await server.StandardOutput.ReadLineAsync();
            Assert.NotNull(line);
            Assert.Matches(@"^Stratus listening on http://127\.0\.0\.1:\d+$", line);
            using var http = TestCredentials.Client(new Uri(line["Stratus listening on ".Length..]));
            Assert.Equal("ok", await http.GetStringAsync("/health"));
            var pid = await InvokeForPidAsync(http, "exports.handler = async () => process.pid;");
            Assert.True(Processes.IsAlive(pid));

            Signal(server.Id, 15);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await server.WaitForExitAsync(exit.Token);

            Assert.Equal(0, server.ExitCode);
            Assert.Contains("Stratus stopped", await server.StandardOutput.ReadToEndAsync());
            Assert.False(Processes.IsAlive(pid), "the instance process outlived the server");
        }
        finally
        {
            await StopAsync(server);
            await stderr;
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Server_KilledWithSigkill_NextStartStopsWhatItsInstancesLeftRunning()
    {
        var data = Directory.CreateTempSubdirectory("stratus-server-").FullName;
        try
        {
            // A child the function leaves running (a runtime exits once its Runtime API is gone; what
            // it started, in the instance's own process group, does not).
            int pid;
            await using (var killed = await ServerProcess.StartAsync(data))
            {
                pid = await InvokeForPidAsync(killed.Http, "exports.handler = async () => require('child_process').spawn('sleep', ['600'], { stdio: 'ignore' }).pid;");
                killed.Kill();
            }

            Assert.True(Processes.IsAlive(pid), "the child should outlive a killed server until the next start");

            await using var next = await ServerProcess.StartAsync(data);

            Assert.True(await Processes.WaitGoneAsync(pid), "the next start did not stop what the killed server's instance left running");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static Process Start(string data)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "stratus.dll"), "server", "--listen", "127.0.0.1:0", "--data", data })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>Deploys a function that answers with a process id, and invokes it once.</summary>
    private static async Task<int> InvokeForPidAsync(HttpClient http, string code)
    {
        var body = new JsonObject
        {
            ["FunctionName"] = "pid",
            ["Runtime"] = "nodejs20.x",
            ["Handler"] = "index.handler",
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(Zips.Create(("index.js", code))) },
        };
        (await http.PostAsJsonAsync("/2015-03-31/functions", body)).EnsureSuccessStatusCode();
        var invoke = await http.PostAsync("/2015-03-31/functions/pid/invocations", new StringContent("{}"));
        return int.Parse(await invoke.Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task StopAsync(Process server)
    {
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static void Signal(int pid, int signal) => Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
}
