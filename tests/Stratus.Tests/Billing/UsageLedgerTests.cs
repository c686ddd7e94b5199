using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
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
            new InvocationMetrics(at ?? new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero), billedMs - 0.5, billedMs, -1, memoryMb, 60, 1234, InvocationOutcome.Success))
        {
            Runtime = "nodejs20.x",
        };

    private SqliteUsageStore OpenStore() => new(new SqliteDatabase(Path.Combine(_directory, "stratus.db")));

    private UsageLedger OpenLedger() => new(OpenStore(), Path.Combine(_directory, "usage-journal"), new FakeTimeProvider(), NullLogger<UsageLedger>.Instance);

    private string[] JournalFiles() => Directory.GetFiles(Path.Combine(_directory, "usage-journal"));

    [Fact]
    public async Task Append_ManyWritersAcrossJournalFiles_EveryRecordImportedOnce()
    {
        const int Writers = 8;
        // More than one journal file holds: writers meet a full file and move on to the next.
        const int PerWriter = (JournalFile.Slots / 4) + 10;
        await using (var ledger = OpenLedger())
        {
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
            {
                for (var i = 0; i < PerWriter; i++)
                {
                    ledger.Append(Record($"{w}-{i}"));
                }
            }));
            await Task.WhenAll(writers);

            Assert.True(ledger.Import());
            Assert.Equal(Writers * PerWriter, OpenStore().Count());
            Assert.Equal(Record("3-17"), OpenStore().ForRequest("3-17").Single());
            // Full files whose records are all stored are gone, but for one kept cleared for reuse; the one being written stays.
            Assert.Equal(2, JournalFiles().Length);
        }

        Assert.Equal(Writers * PerWriter, OpenStore().Count());
        Assert.Empty(JournalFiles());
    }

    [Fact]
    public async Task Append_ManyFilesWithImportsBetween_RetiredFilesAreReusedAndEveryRecordImportedOnce()
    {
        const int Writers = 4;
        const int PerWriter = (JournalFile.Slots / 4) + 3;
        await using (var ledger = OpenLedger())
        {
            for (var phase = 0; phase < 5; phase++)
            {
                var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
                {
                    for (var i = 0; i < PerWriter; i++)
                    {
                        ledger.Append(Record($"{phase}-{w}-{i}"));
                    }
                }));
                await Task.WhenAll(writers);
                Assert.True(ledger.Import());

                Assert.Equal((phase + 1) * Writers * PerWriter, OpenStore().Count());
                Assert.True(JournalFiles().Length <= 2, string.Join(", ", JournalFiles()));
            }

            // Written into files that had been retired, cleared and renamed: each record once, as written.
            Assert.Equal(Record("4-3-17"), OpenStore().ForRequest("4-3-17").Single());
            Assert.Single(OpenStore().ForRequest("2-0-0"));
        }

        Assert.Equal(5 * Writers * PerWriter, OpenStore().Count());
        Assert.Empty(JournalFiles());
    }

    [Fact]
    public async Task Totals_RightAfterAppend_IncludeTheRecordWithoutWaitingForTheImporter()
    {
        await using var ledger = OpenLedger();
        ledger.Append(Record("now", billedMs: 250, memoryMb: 1024));

        var totals = ledger.Totals(new UsageQuery("000000000000", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, null, UsageGrouping.Function));

        Assert.Equal([new UsageTotal("f", 1, 250, 256_000)], totals);
    }

    [Fact]
    public async Task DisposeAsync_RecordsNotYetImported_AreStoredAndTheJournalRemoved()
    {
        var ledger = OpenLedger();
        for (var i = 0; i < 1000; i++)
        {
            ledger.Append(Record($"r{i}"));
        }

        await ledger.DisposeAsync();

        Assert.Equal(1000, OpenStore().Count());
        Assert.Empty(JournalFiles());
    }

    [Fact]
    public async Task Journal_LeftByAKilledServer_IsImportedOnceAtStartAndRemoved()
    {
        await using (var first = OpenLedger())
        {
            first.Append(Record("kept-1"));
            first.Append(Record("kept-2"));
        }

        // What a killed server leaves: slots written, a slot whose writer was killed before marking
        // it written (its reply never left), and unused slots.
        var journal = Path.Combine(_directory, "usage-journal");
        var left = new byte[JournalFile.SlotBytes * 4];
        WriteSlot(left, 1, Record("journaled-only"));
        WriteSlot(left, 2, Record("cut-short"));
        left[2 * JournalFile.SlotBytes] = 0;
        File.WriteAllBytes(Path.Combine(journal, "000000000099.usage"), left);

        await using (var second = OpenLedger())
        {
            Assert.Single(OpenStore().ForRequest("journaled-only"));
            Assert.Single(OpenStore().ForRequest("kept-2"));
            Assert.Empty(OpenStore().ForRequest("cut-short"));
            Assert.Equal(3, OpenStore().Count());
            Assert.False(File.Exists(Path.Combine(journal, "000000000099.usage")));
        }

        // A graceful stop leaves no journal behind: everything is in the store.
        Assert.Empty(JournalFiles());
    }

    [Fact]
    public void Codec_RecordRoundTrip_Equal()
    {
        var record = Record("8f0a6c1e-0000-4000-8000-000000000001", "a-function_name", DateTimeOffset.UnixEpoch.AddTicks(123_456_789), billedMs: 1_234_567, memoryMb: 10240, attempt: 3);
        var buffer = new byte[JournalFile.MaxPayload];

        var length = UsageRecordCodec.Encode(record, buffer);

        Assert.Equal(record, UsageRecordCodec.Decode(buffer.AsSpan(0, length)));
        Assert.Null(UsageRecordCodec.Decode(buffer.AsSpan(0, length - 1)));
        Assert.Equal(-1, UsageRecordCodec.Encode(record with { FunctionName = new string('x', 300) }, buffer));
    }

    // The slot layout of JournalFile: mark, length, payload.
    private static void WriteSlot(byte[] file, int slot, UsageRecord record)
    {
        var at = slot * JournalFile.SlotBytes;
        var length = UsageRecordCodec.Encode(record, file.AsSpan(at + 8, JournalFile.MaxPayload));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), 0x5354_5531);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(at + 4), length);
    }

    [Fact]
    public async Task Journal_KilledRightAfterAnImport_ImportedRecordsNotStoredAgain()
    {
        byte[] left;
        string path;
        await using (var first = OpenLedger())
        {
            first.Append(Record("a"));
            first.Append(Record("b", attempt: 2));
            Assert.True(first.Import());
            path = JournalFiles().Single();
            left = File.ReadAllBytes(path);
            first.Append(Record("c"));
        }

        // What a kill right after that import would have left: the file with a and b (stored, up to
        // the file's mark) and one more record journalled after the import.
        WriteSlot(left, 3, Record("d"));
        File.WriteAllBytes(path, left);
        await using (var second = OpenLedger())
        {
            Assert.Equal(4, OpenStore().Count());
            Assert.Equal(Record("b", attempt: 2), OpenStore().ForRequest("b").Single());
            Assert.Single(OpenStore().ForRequest("d"));
        }

        Assert.Empty(JournalFiles());
    }

    [Fact]
    public void Totals_ByDayAndByFunction_ExactGbSeconds()
    {
        var store = OpenStore();
        var day1 = new DateTimeOffset(2026, 11, 1, 23, 59, 59, TimeSpan.Zero);
        var day2 = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        store.Append(UsageBatch.From([
            Record("1", "alpha", day1, billedMs: 1000, memoryMb: 1024),
            Record("2", "alpha", day1, billedMs: 1, memoryMb: 128),
            Record("3", "beta", day2, billedMs: 3, memoryMb: 512),
            Record("4", "beta", day2.AddDays(5), billedMs: 7, memoryMb: 128),
        ]), default);
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
    public void Totals_ManyFunctionsRuntimesAndMinutesInOneBatch_EqualTheRecordsSums()
    {
        var store = OpenStore();
        var start = new DateTimeOffset(2026, 11, 1, 23, 57, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, 3000).Select(i =>
            Record($"r{i}", $"fn-{i % 7}", start.AddMilliseconds(i * 97), billedMs: 1 + (i % 13), memoryMb: 128 * (1 + (i % 3))) with
            {
                Runtime = i % 2 == 0 ? "nodejs20.x" : "python3.12",
            }).ToList();
        // Two batches, the second adding to minutes the first already has.
        store.Append(UsageBatch.From(records.Take(1700)), default);
        store.Append(UsageBatch.From(records.Skip(1700)), default);

        var byFunction = store.Totals(new UsageQuery("000000000000", start, start.AddDays(1), null, UsageGrouping.Function));
        var byDay = store.Totals(new UsageQuery("000000000000", start, start.AddDays(1), null, UsageGrouping.Day));
        var byRuntime = store.UsageByRuntime("000000000000", start, start.AddDays(1));

        Assert.Equal(
            records.GroupBy(r => r.FunctionName).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new UsageTotal(g.Key, g.Count(), g.Sum(r => r.Metrics.BilledMs), g.Sum(r => r.Metrics.BilledMs * r.Metrics.MemorySizeMb))),
            byFunction);
        Assert.Equal(
            records.GroupBy(r => r.Metrics.StartedAt.ToString("yyyy-MM-dd")).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new UsageTotal(g.Key, g.Count(), g.Sum(r => r.Metrics.BilledMs), g.Sum(r => r.Metrics.BilledMs * r.Metrics.MemorySizeMb))),
            byDay);
        Assert.Equal(
            records.GroupBy(r => r.Runtime).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new AccountUsage("000000000000", new RuntimeUsage(g.Key, g.Count(), g.Sum(r => r.Metrics.BilledMs * r.Metrics.MemorySizeMb)))),
            byRuntime);
        Assert.Equal(3000, store.Count());
        Assert.Equal(records[2999], Assert.Single(store.ForRequest("r2999")));
    }

    [Fact]
    public void Totals_RangeInsideAMinute_CountsThatWholeMinute()
    {
        var store = OpenStore();
        var minute = new DateTimeOffset(2026, 11, 1, 12, 30, 0, TimeSpan.Zero);
        store.Append(UsageBatch.From([
            Record("early", at: minute.AddSeconds(5)),
            Record("late", at: minute.AddSeconds(55)),
            Record("next", at: minute.AddMinutes(1)),
        ]), default);

        var inside = store.Totals(new UsageQuery("000000000000", minute.AddSeconds(20), minute.AddSeconds(40), null, UsageGrouping.Function));
        var upToTheMinute = store.Totals(new UsageQuery("000000000000", minute, minute.AddMinutes(1), null, UsageGrouping.Function));

        Assert.Equal(2, Assert.Single(inside).Requests);
        Assert.Equal(2, Assert.Single(upToTheMinute).Requests);
    }

    [Fact]
    public void Open_DatabaseWithARowPerRecord_MovesEveryRecordToBlocksAndTotals()
    {
        var path = Path.Combine(_directory, "stratus.db");
        var database = new SqliteDatabase(path);
        using (var old = database.Open())
        using (var command = old.CreateCommand())
        {
            // The table as earlier versions made it, with rows for two functions.
            command.CommandText = """
                CREATE TABLE usage_records (
                    id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, attempt INTEGER NOT NULL, account_id TEXT NOT NULL,
                    function_name TEXT NOT NULL, version TEXT NOT NULL, trigger TEXT NOT NULL, started_at INTEGER NOT NULL,
                    duration_ms REAL NOT NULL, billed_ms INTEGER NOT NULL, init_duration_ms REAL NOT NULL, memory_mb INTEGER NOT NULL,
                    max_memory_mb INTEGER NOT NULL, cpu_us INTEGER NOT NULL, outcome TEXT NOT NULL, runtime TEXT NOT NULL);
                CREATE INDEX usage_by_account_time ON usage_records (account_id, started_at);
                """;
            command.ExecuteNonQuery();
            for (var i = 0; i < 2500; i++)
            {
                command.CommandText = $"""
                    INSERT INTO usage_records (request_id, attempt, account_id, function_name, version, trigger, started_at, duration_ms,
                        billed_ms, init_duration_ms, memory_mb, max_memory_mb, cpu_us, outcome, runtime)
                    VALUES ('old-{i}', 1, '000000000000', '{(i % 2 == 0 ? "even" : "odd")}', '$LATEST', 'invoke', {1_793_534_400_000 + i}, 9.5,
                        10, -1, 128, 60, 1234, 'success', 'nodejs20.x')
                    """;
                command.ExecuteNonQuery();
            }
        }

        var store = new SqliteUsageStore(database);
        var reopened = OpenStore();

        Assert.Equal(2500, reopened.Count());
        var from = DateTimeOffset.FromUnixTimeMilliseconds(1_793_534_400_000);
        Assert.Equal(
            [new UsageTotal("even", 1250, 12_500, 1_600_000), new UsageTotal("odd", 1250, 12_500, 1_600_000)],
            reopened.Totals(new UsageQuery("000000000000", from, from.AddDays(1), null, UsageGrouping.Function)));
        Assert.Equal(Record("old-7", "odd", from.AddMilliseconds(7)), Assert.Single(store.ForRequest("old-7")));
        using var connection = database.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'usage_records'";
        Assert.Equal(0L, check.ExecuteScalar());
    }

    [Fact]
    public void Store_MixedRecordsInOneBlock_EachReadBackExactly()
    {
        var at = new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);
        UsageRecord[] records =
        [
            Record("0193e5a1-7c2b-7abc-8def-0123456789ab", "one", at),
            Record("0193E5A1-7C2B-7ABC-8DEF-0123456789AC", "one", at.AddTicks(-5)),
            Record("not-a-uuid", "two", at.AddDays(-40)) with { Trigger = "queue" },
            Record("0193e5a1-7c2b-7abc-8def-0123456789ad", "one", at.AddMilliseconds(3), attempt: 3) with
            {
                Metrics = new InvocationMetrics(at.AddMilliseconds(3), 1.25, 195, 192.88, 10240, 0, 0, InvocationOutcome.Timeout),
            },
            Record("zero-init", "one", at) with { Metrics = new InvocationMetrics(at, 0.5, 1, 0, 128, 60, long.MaxValue, InvocationOutcome.Crash) },
            Record("negative-zero-init", "one", at) with { Metrics = new InvocationMetrics(at, 0.5, 1, -0d, 128, -1, -7, InvocationOutcome.Error) },
            Record("0193e5a1-7c2b-7abc-8def-0123456789ae", "one", DateTimeOffset.MaxValue) with { Version = "7", Runtime = "python3.12" },
        ];
        var store = OpenStore();

        store.Append(UsageBatch.From(records), default);

        Assert.Equal(records.Length, store.Count());
        foreach (var record in records)
        {
            var stored = Assert.Single(OpenStore().ForRequest(record.RequestId));
            Assert.Equal(record, stored);
            Assert.Equal(BitConverter.DoubleToInt64Bits(record.Metrics.InitDurationMs), BitConverter.DoubleToInt64Bits(stored.Metrics.InitDurationMs));
        }
    }

    [Fact]
    public void Store_ThousandInvocationsOfOneFunction_TakeUnder48BytesEach()
    {
        var start = new DateTimeOffset(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, 1000).Select(i => Record(Guid.CreateVersion7(start.AddMilliseconds(i)).ToString(), "hello", start.AddMicroseconds(37 * i))).ToList();
        var database = new SqliteDatabase(Path.Combine(_directory, "stratus.db"));

        new SqliteUsageStore(database).Append(UsageBatch.From(records), default);

        using var connection = database.Open();
        using var size = connection.CreateCommand();
        size.CommandText = "SELECT sum(length(data)) FROM usage_blocks";
        Assert.InRange((long)size.ExecuteScalar()!, 1, 48 * 1000);
        Assert.Equal(records[517], Assert.Single(OpenStore().ForRequest(records[517].RequestId)));
    }

    [Fact]
    public void Open_BlockOfTheFirstForm_StillReadBack()
    {
        // Blocks as earlier versions stored them: each record as the journal encodes it, behind its length.
        var database = new SqliteDatabase(Path.Combine(_directory, "stratus.db"));
        var store = new SqliteUsageStore(database);
        UsageRecord[] records = [Record("0193e5a1-7c2b-7abc-8def-0123456789ab"), Record("first-form")];
        var block = new List<byte>();
        foreach (var record in records)
        {
            var encoded = new byte[JournalFile.MaxPayload];
            var length = UsageRecordCodec.Encode(record, encoded);
            block.AddRange(BitConverter.GetBytes((ushort)length));
            block.AddRange(encoded.AsSpan(0, length).ToArray());
        }

        using (var connection = database.Open())
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO usage_blocks (records, data) VALUES (2, $data)";
            insert.Parameters.AddWithValue("$data", block.ToArray());
            insert.ExecuteNonQuery();
        }

        Assert.Equal(2, store.Count());
        Assert.Equal(records[0], Assert.Single(store.ForRequest(records[0].RequestId)));
        Assert.Equal(records[1], Assert.Single(store.ForRequest("first-form")));
    }

    [Fact]
    public async Task Caps_AccountAtItsCap_ThrottledUntilTheMonthEnds()
    {
        // Each request costs 1.00 and nothing is free; the cap is 2.00.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));
        var database = new SqliteDatabase(Path.Combine(_directory, "stratus.db"));
        await using var ledger = new UsageLedger(new SqliteUsageStore(database), Path.Combine(_directory, "usage-journal"), time, NullLogger<UsageLedger>.Instance);
        var plan = new PricePlan { RequestsPerMillion = 1_000_000m, GbSecond = 0m, FreeRequests = 0, FreeGbSeconds = 0m };
        var caps = new SpendingCaps(new SqliteSpendingCapStore(database), ledger, new Charges(plan), time, NullLogger<SpendingCaps>.Instance);
        caps.Set(new SpendingCap("000000000000", 2m, SpendingCap.DefaultThresholds));

        caps.Add(Record("a", at: time.GetUtcNow()));
        caps.ThrowIfOverCap("000000000000");
        caps.Add(Record("b", at: time.GetUtcNow()));
        var atTheCap = Xunit.Record.Exception(() => caps.ThrowIfOverCap("000000000000"));
        time.Advance(TimeSpan.FromMinutes(1));
        var nextMonth = Xunit.Record.Exception(() => caps.ThrowIfOverCap("000000000000"));
        // A record of an invocation started last month, metered after this one began, counts for last month.
        caps.Add(Record("c", at: time.GetUtcNow().AddSeconds(-1)));
        caps.Add(Record("d", at: time.GetUtcNow()));
        var oneThisMonth = Xunit.Record.Exception(() => caps.ThrowIfOverCap("000000000000"));

        Assert.Equal(429, Assert.IsType<Stratus.Api.LambdaException>(atTheCap).StatusCode);
        Assert.Null(nextMonth);
        Assert.Null(oneThisMonth);
        Assert.Equal(1m, caps.Status("000000000000").Charges);
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
