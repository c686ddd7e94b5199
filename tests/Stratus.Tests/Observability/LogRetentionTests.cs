using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stratus.Hosting;
using Stratus.Observability;
using Stratus.Storage;
using Stratus.Storage.Sqlite;

namespace Stratus.Tests.Observability;

/// <summary>Retention on a real SQLite file: by age, then by size, oldest first.</summary>
public sealed class LogRetentionTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("stratus-logs-").FullName;
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RunOnce_RecordsOlderThanRetention_Deleted()
    {
        var store = new SqliteLogStore(new SqliteDatabase(Path.Combine(_directory, "stratus.db")));
        store.Append([Record("old", Start.AddDays(-8)), Record("recent", Start.AddDays(-6)), Record("now", Start)]);
        await using var sink = new LogSink(store, TimeProvider.System, NullLogger<LogSink>.Instance);

        var deleted = Retention(sink, new StratusOptions { LogRetention = TimeSpan.FromDays(7) }).RunOnce();

        Assert.Equal(1, deleted);
        Assert.Equal(["recent", "now"], store.Tail("fn", 10).Select(r => r.RequestId));
    }

    [Fact]
    public async Task RunOnce_SeveralFunctions_EachLosesOnlyItsOldRecords()
    {
        var store = new SqliteLogStore(new SqliteDatabase(Path.Combine(_directory, "stratus.db")));
        store.Append([
            Record("a-old", Start.AddDays(-9)) with { FunctionName = "alpha" },
            Record("b-old", Start.AddDays(-8)) with { FunctionName = "beta" },
            Record("a-new", Start.AddDays(-1)) with { FunctionName = "alpha" },
            Record("c-new", Start) with { FunctionName = "gamma" },
            Record("b-new", Start) with { FunctionName = "beta" },
        ]);
        await using var sink = new LogSink(store, TimeProvider.System, NullLogger<LogSink>.Instance);

        var deleted = Retention(sink, new StratusOptions { LogRetention = TimeSpan.FromDays(7) }).RunOnce();

        Assert.Equal(2, deleted);
        Assert.Equal(["a-new"], store.Tail("alpha", 10).Select(r => r.RequestId));
        Assert.Equal(["b-new"], store.Tail("beta", 10).Select(r => r.RequestId));
        Assert.Equal(["c-new"], store.Tail("gamma", 10).Select(r => r.RequestId));
    }

    [Fact]
    public async Task RunOnce_MoreTextThanMaxSize_OldestDeletedUntilItFits()
    {
        var store = new SqliteLogStore(new SqliteDatabase(Path.Combine(_directory, "stratus.db")));
        var text = new string('x', 300 * 1024);
        store.Append([.. Enumerable.Range(0, 5).Select(i => Record("r" + i, Start, text))]);
        await using var sink = new LogSink(store, TimeProvider.System, NullLogger<LogSink>.Instance);
        var retention = Retention(sink, new StratusOptions { LogMaxMegabytes = 1 });

        var deleted = retention.RunOnce();
        store.Append([Record("r5", Start, text)]);
        var again = retention.RunOnce();

        Assert.Equal(2, deleted);
        Assert.Equal(1, again);
        Assert.Equal(["r3", "r4", "r5"], store.Tail("fn", 10).Select(r => r.RequestId));
    }

    [Theory]
    [InlineData(0, 1024, "--log-retention-days must be between 1 and 3650 (logs are kept at least an hour)")]
    [InlineData(7, 0, "--log-max-mb must be between 1 and 1048576")]
    [InlineData(7, 1024, "")]
    public void Validate_RetentionSettings_SaysWhatToFix(int days, long megabytes, string expected)
    {
        var options = new StratusOptions { LogRetention = TimeSpan.FromDays(days), LogMaxMegabytes = megabytes };

        Assert.Equal(expected, options.Validate());
    }

    private LogRetention Retention(LogSink sink, StratusOptions options) => new(sink, _time, Options.Create(options), NullLogger<LogRetention>.Instance);

    private static LogRecord Record(string id, DateTimeOffset at, string text = "START\n") => new("fn", id, at, text, "2026/03/01/[$LATEST]00");
}
