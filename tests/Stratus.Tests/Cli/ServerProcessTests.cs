using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Cli;

/// <summary>`stratus server` as an operator runs it: a separate process, stopped with SIGTERM.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task Server_PrintsListeningLine_AndSigtermStopsItWithNoInstanceLeft()
    {
        var data = Directory.CreateTempSubdirectory("stratus-server-").FullName;
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

        using var server = Process.Start(start)!;
        var stderr = server.StandardError.ReadToEndAsync();
        try
        {
            var line = await server.StandardOutput.ReadLineAsync();
            Assert.NotNull(line);
            Assert.Matches(@"^Stratus listening on http://127\.0\.0\.1:\d+$", line);
            using var http = new HttpClient { BaseAddress = new Uri(line["Stratus listening on ".Length..]) };
            Assert.Equal("ok", await http.GetStringAsync("/health"));

            var body = new JsonObject
            {
                ["FunctionName"] = "pid",
                ["Runtime"] = "nodejs20.x",
                ["Handler"] = "index.handler",
                ["Role"] = "arn:aws:iam::123456789012:role/test",
                ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(Zips.Create(("index.js", "exports.handler = async () => process.pid;"))) },
            };
            (await http.PostAsJsonAsync("/2015-03-31/functions", body)).EnsureSuccessStatusCode();
            var invoke = await http.PostAsync("/2015-03-31/functions/pid/invocations", new StringContent("{}"));
            var pid = int.Parse(await invoke.Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture);
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
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            await stderr;
            Directory.Delete(data, recursive: true);
        }
    }

    private static void Signal(int pid, int signal) => Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
}
