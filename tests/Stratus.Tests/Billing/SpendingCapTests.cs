using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Stratus.Billing;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Billing;

/// <summary>An account that reaches its spending cap is throttled on invoke until the cap is raised; warnings once per threshold.</summary>
public sealed class SpendingCapTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    // Each request costs 1.00 and nothing is free, so the charges count invocations.
    public async Task InitializeAsync() => _host = await StratusHost.StartAsync(o => o.PricePlan = new PricePlan
    {
        RequestsPerMillion = 1_000_000m,
        GbSecond = 0m,
        FreeRequests = 0,
        FreeGbSeconds = 0m,
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Invoke_AccountAtItsCap_ThrottledUntilTheCapIsRaised()
    {
        await _host.CreateFunctionAsync("spender", "nodejs20.x", "index.handler", Zips.Create(("index.js", "exports.handler = async () => 'ok';")));
        using (var set = await _host.Http.PutAsJsonAsync("/stratus/v1/accounts/000000000000/cap", new JsonObject { ["Amount"] = 3, ["Thresholds"] = new JsonArray(50, 100) }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var allowed = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            allowed.Add((await _host.InvokeAsync("spender")).Status);
        }

        var throttled = await _host.InvokeAsync("spender");
        var status = await _host.Http.GetFromJsonAsync<JsonNode>("/stratus/v1/accounts/000000000000/cap");
        using (var raised = await _host.Http.PutAsJsonAsync("/stratus/v1/accounts/000000000000/cap", new JsonObject { ["Amount"] = 10 }))
        {
            Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        }

        var afterRaise = await _host.InvokeAsync("spender");
        using var invalid = await _host.Http.PutAsJsonAsync("/stratus/v1/accounts/000000000000/cap", new JsonObject { ["Amount"] = -1 });
        using var unknown = await _host.Http.PutAsJsonAsync("/stratus/v1/accounts/999999999999/cap", new JsonObject { ["Amount"] = 1 });

        Assert.Equal([200, 200, 200], allowed);
        Assert.Equal(429, throttled.Status);
        Assert.Equal("TooManyRequestsException", throttled.ErrorType);
        Assert.Contains("reached its spending cap of 3 USD", throttled.Body);
        Assert.Equal(3m, (decimal)status!["Charges"]!);
        Assert.True((bool)status["Throttled"]!);
        Assert.Equal([50, 100], status["Warnings"]!.AsArray().Select(w => (int)w!["Threshold"]!));
        Assert.Equal(200, afterRaise.Status);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Cli_AccountCap_SetsShowsAndRemovesTheCap()
    {
        var set = await StratusAsync("account", "cap", "000000000000", "25.00", "--warn", "50,90");
        var shown = await StratusAsync("account", "cap", "000000000000");
        var removed = await StratusAsync("account", "cap", "000000000000", "--remove");
        var after = await StratusAsync("account", "cap", "000000000000", "--json");
        var badWarn = await StratusAsync("account", "cap", "000000000000", "5", "--warn", "half");

        Assert.True(set.ExitCode == 0, set.Stderr);
        Assert.Contains("Cap: 25.00 USD, warnings at 50%, 90%", set.Stdout);
        Assert.Contains("Cap: 25.00 USD", shown.Stdout);
        Assert.Contains("Removed the spending cap", removed.Stdout);
        Assert.Null(JsonNode.Parse(after.Stdout)!["Cap"]);
        Assert.Equal(2, badWarn.ExitCode);
        Assert.Contains("--warn takes whole percentages", badWarn.Stderr);
    }

    private Task<ExternalTool.Output> StratusAsync(params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args, "--endpoint", _host.Endpoint], new Dictionary<string, string> { ["NO_COLOR"] = "1", ["COLUMNS"] = "200" });
}
