using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Events;

/// <summary>`stratus schedule` as a user runs it, against a real server on fake time with a real node function.</summary>
public sealed class ScheduleCliTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 10, 0, 30, TimeSpan.Zero));
    private readonly string _shared = SharedDirectory.Create("schedule-cli-");
    private StratusHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync(time: _time);
        await _host.CreateFunctionAsync("recorder", "nodejs20.x", "index.handler", ScheduleApiTests.Recorder(_shared));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_shared, recursive: true);
    }

    [Fact]
    public async Task CreateListGetUpdateDisableEnableDelete_WorkAsAUserExpects()
    {
        var created = await StratusAsync("schedule", "create", "nightly", "--expression", "cron(0 2 * * ? *)", "--timezone", "Europe/Paris", "--function", "recorder");
        var again = await StratusAsync("schedule", "create", "nightly", "--expression", "rate(1 hour)", "--function", "recorder");
        var updated = await StratusAsync("schedule", "update", "nightly", "--expression", "rate(1 minute)", "--input", """{"tick":"cli"}""", "--missed-ticks", "catch-up-once", "--json");
        await ScheduleApiTests.AdvanceAsync(_host, _time, new DateTimeOffset(2026, 11, 28, 10, 1, 30, TimeSpan.Zero));
        var received = await ScheduleApiTests.ReceivedAsync(_shared, "cli");
        var table = await StratusAsync("schedule", "list");
        var shown = await StratusAsync("schedule", "get", "nightly");
        var disabled = await StratusAsync("schedule", "disable", "nightly", "--json");
        var enabled = await StratusAsync("schedule", "enable", "nightly", "--json");
        var deleted = await StratusAsync("schedule", "delete", "nightly");
        var missing = await StratusAsync("schedule", "get", "nightly");
        var invalid = await StratusAsync("schedule", "create", "broken", "--expression", "cron(0 2 * * *)", "--function", "recorder");

        Assert.Equal(0, created.ExitCode);
        Assert.Contains("cron(0 2 * * ? *) (Europe/Paris)", created.Stdout);
        Assert.Contains("2026-11-29T02:00:00+01:00", created.Stdout);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
        Assert.Equal(0, updated.ExitCode);
        var json = JsonNode.Parse(updated.Stdout)!;
        Assert.Equal("rate(1 minute)", (string)json["ScheduleExpression"]!);
        Assert.Equal("Europe/Paris", (string)json["ScheduleExpressionTimezone"]!);
        Assert.Equal("CATCH_UP_ONCE", (string)json["MissedTicks"]!);
        Assert.Equal("cli", (string)received["tick"]!);
        Assert.Contains("nightly", table.Stdout);
        Assert.Contains("ENABLED", table.Stdout);
        Assert.Contains("rate(1 minute)", table.Stdout);
        Assert.Contains("2026-11-28T11:02:30+01:00", table.Stdout);
        Assert.Contains("Last tick", shown.Stdout);
        Assert.Contains("2026-11-28T10:01:30.000Z", shown.Stdout);
        Assert.Equal("DISABLED", (string)JsonNode.Parse(disabled.Stdout)!["State"]!);
        Assert.Equal("ENABLED", (string)JsonNode.Parse(enabled.Stdout)!["State"]!);
        Assert.Equal(0, deleted.ExitCode);
        Assert.Contains("Deleted schedule nightly", deleted.Stdout);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("ResourceNotFoundException: Schedule nightly does not exist.", missing.Stderr);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("ValidationException: Invalid cron expression cron(0 2 * * *): expected 6 fields", invalid.Stderr);
    }

    private Task<ExternalTool.Output> StratusAsync(params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args, "--endpoint", _host.Endpoint], new Dictionary<string, string> { ["NO_COLOR"] = "1", ["COLUMNS"] = "200" });
}
