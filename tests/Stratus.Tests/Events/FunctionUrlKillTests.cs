using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Events;

/// <summary>A function URL the server answered for is there after the `stratus server` process is SIGKILLed.</summary>
public sealed class FunctionUrlKillTests
{
    [Fact]
    public async Task CreateFunctionUrlConfig_ServerKilled_SameUrlServesAfterRestart()
    {
        var data = Directory.CreateTempSubdirectory("stratus-url-kill-").FullName;
        try
        {
            string urlId;
            using (var first = StartServer(data, out var firstEndpoint))
            {
                using var http = new HttpClient { BaseAddress = await firstEndpoint };
                var function = new JsonObject
                {
                    ["FunctionName"] = "kept",
                    ["Runtime"] = "nodejs20.x",
                    ["Handler"] = "index.handler",
                    ["Role"] = "arn:aws:iam::123456789012:role/test",
                    ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(Zips.Create(("index.js", "exports.handler = async (e) => 'still here at ' + e.rawPath;"))) },
                };
                (await http.PostAsJsonAsync("/2015-03-31/functions", function)).EnsureSuccessStatusCode();
                using var created = await http.PostAsJsonAsync("/2021-10-31/functions/kept/url", new JsonObject { ["AuthType"] = "NONE" });
                var url = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["FunctionUrl"]!;

                // --public-url reached the server from the command line: the URL is shown on it.
                Assert.StartsWith("https://fn.example.com/lambda-url/", url);
                urlId = url["https://fn.example.com/lambda-url/".Length..].TrimEnd('/');
                first.Kill(entireProcessTree: true);
                await first.WaitForExitAsync();
            }

            using var second = StartServer(data, out var secondEndpoint);
            try
            {
                var response = await Curl.RunAsync((await secondEndpoint) + "lambda-url/" + urlId + "/after-kill");

                Assert.Equal(200, response.Status);
                Assert.Equal("still here at /after-kill", response.Text);
            }
            finally
            {
                second.Kill(entireProcessTree: true);
                await second.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Starts `stratus server` on a free port; <paramref name="endpoint"/> completes with its address once it listens.</summary>
    private static Process StartServer(string data, out Task<Uri> endpoint)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "stratus.dll"), "server", "--listen", "127.0.0.1:0", "--data", data, "--public-url", "https://fn.example.com" })
        {
            start.ArgumentList.Add(argument);
        }

        var server = Process.Start(start)!;
        server.ErrorDataReceived += (_, _) => { };
        server.BeginErrorReadLine();
        endpoint = ReadEndpointAsync(server);
        return server;
    }

    private static async Task<Uri> ReadEndpointAsync(Process server)
    {
        var line = await server.StandardOutput.ReadLineAsync();
        Assert.True(line?.StartsWith("Stratus listening on ", StringComparison.Ordinal) == true, $"the server printed '{line}'");
        return new Uri(line!["Stratus listening on ".Length..] + "/");
    }
}
