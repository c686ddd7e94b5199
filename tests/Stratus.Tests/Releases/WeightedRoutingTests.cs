using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Releases;

/// <summary>
/// An alias that sends a share of its invocations to a second version: over 10,000 invocations the
/// share that ran each version (as X-Amz-Executed-Version tells) is within 3 points of its weight. The
/// server's routing is seeded, so the counts are the same on every run.
/// </summary>
public sealed class WeightedRoutingTests : IAsyncLifetime
{
    private const int Invocations = 10_000;
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync(o => o.RoutingSeed = 20261128);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Alias_WeightedTwentyPercent_RunsTheNewVersionForTwentyPercentOfTenThousandInvocations()
    {
        await _host.CreateFunctionAsync("weighted", "nodejs20.x", "index.handler", Zips.Create(("index.js", "exports.handler = async () => 1;")));
        await PublishAsync("weighted");
        using (var update = await _host.Http.PutAsync("/2015-03-31/functions/weighted/configuration", Json("""{"Environment":{"Variables":{"RELEASE":"2"}}}""")))
        {
            update.EnsureSuccessStatusCode();
        }

        await PublishAsync("weighted");
        using (var alias = await _host.Http.PostAsync("/2015-03-31/functions/weighted/aliases",
            Json("""{"Name":"live","FunctionVersion":"1","RoutingConfig":{"AdditionalVersionWeights":{"2":0.2}}}""")))
        {
            alias.EnsureSuccessStatusCode();
        }

        var executed = new string?[Invocations];
        await Parallel.ForAsync(0, Invocations, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var result = await _host.InvokeAsync("weighted:live");
            Assert.Equal(200, result.Status);
            executed[i] = result.ExecutedVersion;
        });

        var second = executed.Count(v => v == "2") / (double)Invocations;
        var first = executed.Count(v => v == "1") / (double)Invocations;
        Assert.Equal(1.0, first + second, precision: 10);
        Assert.InRange(second, 0.17, 0.23);
        Assert.InRange(first, 0.77, 0.83);
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private async Task PublishAsync(string name)
    {
        using var response = await _host.Http.PostAsync($"/2015-03-31/functions/{name}/versions", Json("{}"));
        response.EnsureSuccessStatusCode();
    }
}
