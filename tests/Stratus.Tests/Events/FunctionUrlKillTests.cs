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
            await using (var first = await ServerProcess.StartAsync(data, "--public-url", "https://fn.example.com"))
            {
                var function = new JsonObject
                {
                    ["FunctionName"] = "kept",
                    ["Runtime"] = "nodejs20.x",
                    ["Handler"] = "index.handler",
                    ["Role"] = "arn:aws:iam::123456789012:role/test",
                    ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(Zips.Create(("index.js", "exports.handler = async (e) => 'still here at ' + e.rawPath;"))) },
                };
                (await first.Http.PostAsJsonAsync("/2015-03-31/functions", function)).EnsureSuccessStatusCode();
                using var created = await first.Http.PostAsJsonAsync("/2021-10-31/functions/kept/url", new JsonObject { ["AuthType"] = "NONE" });
                var url = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["FunctionUrl"]!;

                // --public-url reached the server from the command line: the URL is shown on it.
                Assert.StartsWith("https://fn.example.com/lambda-url/", url);
                urlId = url["https://fn.example.com/lambda-url/".Length..].TrimEnd('/');
                first.Kill();
            }

            await using var second = await ServerProcess.StartAsync(data, "--public-url", "https://fn.example.com");
            var response = await Curl.RunAsync(second.Http.BaseAddress + "lambda-url/" + urlId + "/after-kill");

            Assert.Equal(200, response.Status);
            Assert.Equal("still here at /after-kill", response.Text);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
