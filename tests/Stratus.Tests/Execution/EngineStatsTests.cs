using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>The numbers the engine keeps per function, read through the native API.</summary>
public sealed class EngineStatsTests
{
    [Fact]
    public async Task Stats_CountColdAndWarmStartsThrottlesAndInstancesByState()
    {
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("counted", "nodejs20.x", "index.handler", Zips.NodeEcho());

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await host.InvokeAsync("counted")).Status);
        }

        using (var reserve = new StringContent("""{"ReservedConcurrentExecutions":0}""", Encoding.UTF8, "application/json"))
        {
            (await host.Http.PutAsync("/2017-10-31/functions/counted/concurrency", reserve)).EnsureSuccessStatusCode();
        }

        var throttled = await host.InvokeAsync("counted");
        var stats = JsonNode.Parse(await host.Http.GetStringAsync("/stratus/v1/functions/counted/stats"))!;
        var missing = await host.Http.GetAsync("/stratus/v1/functions/nope/stats");

        Assert.Equal(429, throttled.Status);
        Assert.Equal(1, (int)stats["ColdStarts"]!);
        Assert.Equal(2, (int)stats["WarmStarts"]!);
        Assert.Equal(1, (int)stats["Throttles"]!);
        Assert.Equal(1, (int)stats["InitDuration"]!["Count"]!);
        Assert.True((double)stats["InitDuration"]!["AverageMs"]! > 0);
        Assert.Equal(1, (int)stats["Instances"]!["Idle"]!);
        Assert.Equal(0, (int)stats["Instances"]!["Busy"]!);
        Assert.Equal(404, (int)missing.StatusCode);
    }
}
