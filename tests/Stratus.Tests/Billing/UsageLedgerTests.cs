using Microsoft.Extensions.Logging.Abstractions;
using Stratus.Billing;
using Stratus.Execution;
using Stratus.Storage.Sqlite;

namespace Stratus.Tests.Billing;

/// <summary>The batched writer and its SQLite store, on a real database file.</summary>
public sealed class UsageLedgerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stratus-ledger-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static UsageRecord Record(string requestId, string function = "f", DateTimeOffset? at = null, long billedMs = 10, int memoryMb = 128, int attempt = 1) =>
        new("000000000000", function, "$LATEST", requestId, attempt, "invoke",
            new InvocationMetrics(at ?? new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), billedMs - 0.5, billedMs, -1, memoryMb, 60, 1234, InvocationOutcome.Success));

    private SqliteUsageStore OpenStore() => new(new SqliteDatabase(Path.Combine(_directory, "stratus.db")));

    [Fact]
    public async Task AppendAsync_ManyWritersAtOnce_EveryRecordCommittedOnce()
    {
        const int Writers = 8;
        const int PerWriter = 400;
        var store = OpenStore();
        await using (var ledger = new UsageLedger(store, NullLogger<UsageLedger>.Instance))
        {
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    // Each append completes only once its record is committed: read it back right away.
                    await ledger.AppendAsync(Record($"{w}-{i}"));
                    Assert.Single(store.ForRequest($"{w}-{i}"));
                }
            }));
            await Task.WhenAll(writers);
        }

        Assert.Equal(Writers * PerWriter, OpenStore().Count());
    }

    [Fact]
    public async Task DisposeAsync_RecordsNotYetAwaited_AreCommittedByTheStop()
    {
        var store = OpenStore();
        var ledger = new UsageLedger(store, NullLogger<UsageLedger>.Instance);
        var pending = Enumerable.Range(0, 1000).Select(i => ledger.AppendAsync(Record($"r{i}"))).ToList();

        await ledger.DisposeAsync();

        Assert.All(pending, task => Assert.True(task.IsCompletedSuccessfully));
        Assert.Equal(1000, OpenStore().Count());
    }

    [Fact]
    public async Task Journal_LeftByAKilledServer_IsImportedOnceAtStartAndRemoved()
    {
        var journal = Path.Combine(_directory, "usage-journal");
        await using (var first = new UsageLedger(OpenStore(), NullLogger<UsageLedger>.Instance, journal))
        {
            await first.AppendAsync(Record("kept-1"));
            await first.AppendAsync(Record("kept-2"));
        }

        // What a killed server leaves: records journaled (one of them also stored already) and a
        // line cut short by the kill, whose reply never left.
        File.WriteAllText(Path.Combine(journal, "000000000099.journal"),
            System.Text.Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Record("kept-2"), UsageJournalJson.Default.UsageRecord)) + "\n"
            + System.Text.Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Record("journaled-only"), UsageJournalJson.Default.UsageRecord)) + "\n"
            + "{\"AccountId\":\"0000");

        await using (var second = new UsageLedger(OpenStore(), NullLogger<UsageLedger>.Instance, journal))
        {
            Assert.Single(OpenStore().ForRequest("journaled-only"));
            Assert.Single(OpenStore().ForRequest("kept-2"));
            Assert.Equal(3, OpenStore().Count());
            Assert.False(File.Exists(Path.Combine(journal, "000000000099.journal")));
        }

        // A graceful stop leaves no journal behind: everything is in the store.
        Assert.Empty(Directory.EnumerateFiles(journal));
    }

    [Fact]
    public void Append_SameRequestAndAttemptTwice_StoredOnce()
    {
        var store = OpenStore();
        var batch = new[] { Record("a"), Record("b"), Record("a", attempt: 2) };

        store.Append(batch);
        store.Append(batch);
        store.Append([Record("a", billedMs: 999)]);

        Assert.Equal(3, store.Count());
        Assert.Equal([1, 2], store.ForRequest("a").Select(r => r.Attempt));
        Assert.Equal(10, store.ForRequest("a")[0].Metrics.BilledMs);
        Assert.Equal(Record("b"), store.ForRequest("b").Single());
    }

    [Fact]
    public void Totals_ByDayAndByFunction_ExactGbSeconds()
    {
        var store = OpenStore();
        var day1 = new DateTimeOffset(2026, 11, 1, 23, 59, 59, TimeSpan.Zero);
        var day2 = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        store.Append([
            Record("1", "alpha", day1, billedMs: 1000, memoryMb: 1024),
            Record("2", "alpha", day1, billedMs: 1, memoryMb: 128),
            Record("3", "beta", day2, billedMs: 3, memoryMb: 512),
            Record("4", "beta", day2.AddDays(5), billedMs: 7, memoryMb: 128),
        ]);
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddDays(2);

        var byDay = store.Totals(new UsageQuery("000000000000", from, to, null, UsageGrouping.Day));
        var byFunction = store.Totals(new UsageQuery("000000000000", from, to, null, UsageGrouping.Function));
        var beta = store.Totals(new UsageQuery("000000000000", from, to.AddDays(10), "beta", UsageGrouping.Day));
        var otherAccount = store.Totals(new UsageQuery("111111111111", from, to, null, UsageGrouping.Day));

        Assert.Equal([new UsageTotal("2026-11-01", 2, 1001, 1_024_128), new UsageTotal("2026-11-02", 1, 3, 1536)], byDay);
        Assert.Equal(1.000125m, byDay[0].GbSeconds);
        Assert.Equal(0.0015m, byDay[1].GbSeconds);
        Assert.Equal(["alpha", "beta"], byFunction.Select(t => t.Key));
        Assert.Equal(["2026-11-02", "2026-11-07"], beta.Select(t => t.Key));
        Assert.Empty(otherAccount);
    }

    [Fact]
    public void Billed_ColdStart_IncludesInitRoundedUp()
    {
        Assert.Equal(1, InvocationMetrics.Billed(0.2, -1));
        Assert.Equal(2, InvocationMetrics.Billed(1.01, -1));
        Assert.Equal(195, InvocationMetrics.Billed(1.70, 192.88));
        Assert.Equal(100, InvocationMetrics.Billed(100, -1));
    }

    [Fact]
    public void CpuTimeParse_V1AndV2Files_Microseconds()
    {
        Assert.Equal(1234, CpuTime.Parse("1234567\n"u8, isV2: false));
        Assert.Equal(98765, CpuTime.Parse("usage_usec 98765\nuser_usec 5\nsystem_usec 7\n"u8, isV2: true));
        Assert.Equal(0, CpuTime.Parse("nothing\n"u8, isV2: true));
    }
}
