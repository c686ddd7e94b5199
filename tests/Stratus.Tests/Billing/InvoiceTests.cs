using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Billing;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Billing;

/// <summary>A month's invoice is the price plan applied to the ledger, to the cent, free tier and runtime prices included.</summary>
public sealed class InvoiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset October = new(2026, 10, 31, 23, 59, 0, TimeSpan.Zero);
    private StratusHost _host = null!;

    // Prices large enough that every line is a visible amount: 0.20 a request, 0.50 a GB-second,
    // python 1.00 a GB-second; 2 requests and 1 GB-second free a month.
    private static PricePlan Plan() => new()
    {
        RequestsPerMillion = 200_000m,
        GbSecond = 0.5m,
        FreeRequests = 2,
        FreeGbSeconds = 1m,
        Runtimes = { ["python3.12"] = new RuntimePrice { GbSecond = 1m } },
    };

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync(o => o.PricePlan = Plan());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Invoice_MonthOfLedger_PlanAppliedToTheCentWithFreeTier()
    {
        var store = _host.Server.Services.GetRequiredService<UsageLedger>().Store;
        var records = new List<UsageRecord>();
        for (var i = 0; i < 5; i++)
        {
            // 1 GB-second each.
            records.Add(UsageLedgerTests.Record($"node-{i}", at: October, billedMs: 1000, memoryMb: 1024));
        }

        // 0.25 GB-second each, and one of 0.000125 GB-second (half a thousandth of a cent at python's price).
        records.Add(UsageLedgerTests.Record("py-1", at: October, billedMs: 500, memoryMb: 512) with { Runtime = "python3.12" });
        records.Add(UsageLedgerTests.Record("py-2", at: October, billedMs: 500, memoryMb: 512) with { Runtime = "python3.12" });
        records.Add(UsageLedgerTests.Record("py-3", at: October, billedMs: 1, memoryMb: 128) with { Runtime = "python3.12" });
        // Another month and another account do not count.
        records.Add(UsageLedgerTests.Record("november", at: October.AddMinutes(1), billedMs: 1000, memoryMb: 1024));
        records.Add(UsageLedgerTests.Record("other", at: October, billedMs: 1000, memoryMb: 1024) with { AccountId = "111111111111" });
        store.Append(UsageBatch.From(records), default);

        var invoice = await _host.Http.GetFromJsonAsync<JsonNode>("/stratus/v1/invoices/000000000000/2026-10");
        var csv = await _host.Http.GetStringAsync("/stratus/v1/invoices/000000000000/2026-10?format=csv");
        var html = await _host.Http.GetStringAsync("/stratus/v1/invoices/000000000000/2026-10?format=html");
        using var badPeriod = await _host.Http.GetAsync("/stratus/v1/invoices/000000000000/2026-13");
        using var badFormat = await _host.Http.GetAsync("/stratus/v1/invoices/000000000000/2026-10?format=pdf");
        var cliTable = await StratusAsync("invoice", "--period", "2026-10");
        var cliCsv = await StratusAsync("invoice", "--account", "000000000000", "--period", "2026-10", "--format", "csv");

        var lines = invoice!["Lines"]!.AsArray().Select(l => ((string)l!["Description"]!, (decimal)l["FreeQuantity"]!, (decimal)l["BillableQuantity"]!, (decimal)l["Amount"]!)).ToList();
        Assert.Equal(
            [
                ("Requests", 2m, 3m, 0.60m),                // 5 requests, 2 free, 0.20 each
                ("Compute", 1m, 4m, 2.00m),                 // 5 GB-s, 1 free, 0.50 each
                ("Requests (python3.12)", 0m, 3m, 0.60m),   // the free requests are used up
                ("Compute (python3.12)", 0m, 0.500125m, 0.50m), // 0.500125 at 1.00, rounded to the cent
            ],
            lines);
        Assert.Equal(3.70m, (decimal)invoice["Total"]!);
        Assert.Equal(lines.Sum(l => l.Item4), (decimal)invoice["Total"]!);
        Assert.Equal(("USD", "2026-10"), ((string)invoice["Currency"]!, (string)invoice["Period"]!));
        Assert.Contains("000000000000,2026-10,Compute (python3.12),GB-seconds,0.500125,0,0.500125,1,1,0.50,USD", csv);
        Assert.EndsWith("000000000000,2026-10,Total,,,,,,,3.70,USD\n", csv);
        Assert.Contains("<th>3.70</th>", html);
        Assert.Contains("Requests (python3.12)", html);
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Equal(0, cliTable.ExitCode);
        Assert.Matches(@"Compute \(python3\.12\)\s*│\s*0\.500125 GB-seconds\s*│\s*0\s*│\s*0\.500125\s*│\s*1\s*│\s*0\.50", cliTable.Stdout);
        Assert.Matches(@"TOTAL\s*│.*3\.70", cliTable.Stdout);
        Assert.Equal(csv, cliCsv.Stdout);
    }

    private Task<ExternalTool.Output> StratusAsync(params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args, "--endpoint", _host.Endpoint], new Dictionary<string, string> { ["NO_COLOR"] = "1", ["COLUMNS"] = "200" });

    [Fact]
    public async Task Invoice_DefaultPlanWithinFreeTier_ZeroTotal()
    {
        var charges = new Charges(new PricePlan());

        var invoice = charges.Invoice("000000000000", October, [new RuntimeUsage("nodejs20.x", 1_000_000, 400_000L * 1_024_000)]);
        var over = charges.Invoice("000000000000", October, [new RuntimeUsage("nodejs20.x", 3_000_000, 1_400_000L * 1_024_000)]);

        Assert.Equal(0m, invoice.Total);
        // Lambda's x86 prices: 0.20 per million requests, 0.0000166667 per GB-second.
        Assert.Equal([0.40m, 16.67m], over.Lines.Select(l => l.Amount));
        Assert.Equal(17.07m, over.Total);
        await Task.CompletedTask;
    }
}
