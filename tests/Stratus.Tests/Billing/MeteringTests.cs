using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Billing;
using Stratus.Execution;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Billing;

/// <summary>
/// A real server and a real node function run invocations of every kind; the ledger holds exactly one
/// record for each, whose billed duration is the one its REPORT line shows.
/// </summary>
public sealed partial class MeteringTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    // What the ledger journalled so far, in the store: the test does not wait for the periodic import.
    private IUsageStore Store
    {
        get
        {
            var ledger = _host.Server.Services.GetRequiredService<UsageLedger>();
            Assert.True(ledger.Import());
            return ledger.Store;
        }
    }

    [Fact]
    public async Task Invoke_MixedKinds_OneRecordEachMatchingItsReportLine()
    {
        await _host.CreateFunctionAsync("metered", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event) => {
              if (event.fail) throw new Error('boom');
              if (event.hang) await new Promise(r => setTimeout(r, 10000));
              if (event.exit) process.exit(3);
              return 'ok';
            };
            """)), timeout: 1, memory: 256);
        using (var config = await _host.Http.PutAsync(
            "/2019-09-25/functions/metered/event-invoke-config",
            new StringContent("""{"MaximumRetryAttempts":0}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        }

        var attempts = new AsyncAttempts(_host);
        var expected = new List<(string RequestId, string Trigger, string Outcome, bool Cold)>();
        async Task SyncAsync(string payload, string outcome, bool cold)
        {
            var result = await _host.InvokeAsync("metered", payload, tail: true);
            expected.Add((StartLine().Match(result.Log!).Groups[1].Value, "invoke", outcome, cold));
        }

        async Task EventAsync(string payload, string outcome)
        {
            Assert.Equal(202, (await _host.InvokeAsync("metered", payload, type: "Event")).Status);
            expected.Add(((await attempts.NextAsync("metered")).RequestId, "event", outcome, false));
        }

        await SyncAsync("{}", InvocationOutcome.Success, cold: true);
        await SyncAsync("{}", InvocationOutcome.Success, cold: false);
        await SyncAsync("""{"fail":true}""", InvocationOutcome.Error, cold: false);
        await EventAsync("{}", InvocationOutcome.Success);
        await EventAsync("""{"fail":true}""", InvocationOutcome.Error);
        await SyncAsync("""{"hang":true}""", InvocationOutcome.Timeout, cold: false);
        await SyncAsync("{}", InvocationOutcome.Success, cold: true);
        await SyncAsync("""{"exit":true}""", InvocationOutcome.Crash, cold: false);
        await SyncAsync("{}", InvocationOutcome.Success, cold: true);
        var reports = await ReportsAsync();

        Assert.Equal(expected.Count, Store.Count());
        foreach (var (requestId, trigger, outcome, cold) in expected)
        {
            var record = Assert.Single(Store.ForRequest(requestId));
            var report = reports[requestId];
            Assert.Equal(("000000000000", "metered", "$LATEST", 1), (record.AccountId, record.FunctionName, record.Version, record.Attempt));
            Assert.Equal((trigger, outcome), (record.Trigger, record.Metrics.Outcome));
            Assert.Equal(256, record.Metrics.MemorySizeMb);
            Assert.Equal(long.Parse(report.Groups["billed"].Value, CultureInfo.InvariantCulture), record.Metrics.BilledMs);
            Assert.Equal(long.Parse(report.Groups["max"].Value, CultureInfo.InvariantCulture), record.Metrics.MaxMemoryUsedMb);
            Assert.Equal(report.Groups["duration"].Value, record.Metrics.DurationMs.ToString("0.00", CultureInfo.InvariantCulture));
            Assert.Equal(record.Metrics.BilledMs * 256 / 1_024_000m, record.GbSeconds);
            if (cold)
            {
                // Since August 2025 Lambda bills an on-demand cold start's init phase with its invocation.
                Assert.Equal(report.Groups["init"].Value, record.Metrics.InitDurationMs.ToString("0.00", CultureInfo.InvariantCulture));
                Assert.Equal((long)Math.Ceiling(record.Metrics.DurationMs + record.Metrics.InitDurationMs), record.Metrics.BilledMs);
            }
            else
            {
                Assert.False(report.Groups["init"].Success, requestId);
                Assert.Equal((long)Math.Max(1, Math.Ceiling(record.Metrics.DurationMs)), record.Metrics.BilledMs);
            }
        }
    }

    [Fact]
    public async Task Usage_ApiAndCli_TotalsPerDayAndFunction()
    {
        var day1 = new DateTimeOffset(2026, 11, 1, 23, 0, 0, TimeSpan.Zero);
        Store.Append(UsageBatch.From([
            UsageLedgerTests.Record("1", "alpha", day1, billedMs: 1000, memoryMb: 1024),
            UsageLedgerTests.Record("2", "alpha", day1, billedMs: 1, memoryMb: 128),
            UsageLedgerTests.Record("3", "beta", day1.AddHours(2), billedMs: 3, memoryMb: 512),
        ]), default);

        var byDay = await _host.Http.GetFromJsonAsync<JsonNode>("/stratus/v1/usage?from=2026-11-01&to=2026-11-02");
        var byFunction = await _host.Http.GetFromJsonAsync<JsonNode>("/stratus/v1/usage?from=2026-11-01T00:00:00Z&to=2026-11-03T00:00:00Z&groupBy=function&function=alpha");
        using var invalid = await _host.Http.GetAsync("/stratus/v1/usage?groupBy=week");
        using var backwards = await _host.Http.GetAsync("/stratus/v1/usage?from=2026-11-02&to=2026-11-01");
        var table = await StratusAsync("usage", "--from", "2026-11-01", "--to", "2026-11-02", "--group-by", "function");
        var json = await StratusAsync("usage", "--from", "2026-11-01", "--to", "2026-11-01", "--json");

        Assert.Equal("2026-11-01T00:00:00.000Z", (string)byDay!["From"]!);
        Assert.Equal("2026-11-03T00:00:00.000Z", (string)byDay["To"]!);
        Assert.Equal(["2026-11-01", "2026-11-02"], byDay["Groups"]!.AsArray().Select(g => (string)g!["Key"]!));
        Assert.Equal(1.000125m, (decimal)byDay["Groups"]![0]!["GbSeconds"]!);
        Assert.Equal(1001, (long)byDay["Groups"]![0]!["BilledMs"]!);
        Assert.Equal(3, (long)byDay["Total"]!["Requests"]!);
        Assert.Equal(1.001625m, (decimal)byDay["Total"]!["GbSeconds"]!);
        var alpha = Assert.Single(byFunction!["Groups"]!.AsArray())!;
        Assert.Equal(("alpha", 2L), ((string)alpha["Key"]!, (long)alpha["Requests"]!));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Equal(0, table.ExitCode);
        Assert.Matches(@"alpha\s*│\s*2\s*│\s*1001\s*│\s*1\.000125", table.Stdout);
        Assert.Matches(@"beta\s*│\s*1\s*│\s*3\s*│\s*0\.0015", table.Stdout);
        Assert.Matches(@"TOTAL\s*│\s*3\s*│\s*1004\s*│\s*1\.001625", table.Stdout);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(2, (long)JsonNode.Parse(json.Stdout)!["Total"]!["Requests"]!);
    }

    private async Task<Dictionary<string, Match>> ReportsAsync()
    {
        var logs = await _host.Http.GetFromJsonAsync<JsonNode>("/stratus/v1/functions/metered/logs?limit=100");
        var reports = new Dictionary<string, Match>();
        foreach (var text in logs!["Events"]!.AsArray().Select(e => (string)e!["Message"]!))
        {
            foreach (Match report in ReportLine().Matches(text))
            {
                reports.Add(report.Groups["id"].Value, report);
            }
        }

        return reports;
    }

    private Task<ExternalTool.Output> StratusAsync(params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args, "--endpoint", _host.Endpoint], new Dictionary<string, string> { ["NO_COLOR"] = "1", ["COLUMNS"] = "200" });

    [GeneratedRegex(@"START RequestId: ([0-9a-f-]{36})")]
    private static partial Regex StartLine();

    [GeneratedRegex(@"REPORT RequestId: (?<id>[0-9a-f-]{36})\tDuration: (?<duration>[\d.]+) ms\tBilled Duration: (?<billed>\d+) ms\tMemory Size: 256 MB\tMax Memory Used: (?<max>\d+) MB\t(Init Duration: (?<init>[\d.]+) ms\t)?")]
    private static partial Regex ReportLine();
}
