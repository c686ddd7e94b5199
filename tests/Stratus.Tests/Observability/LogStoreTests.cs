using Stratus.Storage;
using Stratus.Storage.Sqlite;

namespace Stratus.Tests.Observability;

/// <summary>The log store on a real SQLite file: pages in time order, lookups by request.</summary>
public sealed class LogStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("stratus-logstore-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Query_RecordsStoredOutOfTimeOrder_PagesGoBackInTimeOrder()
    {
        var store = new SqliteLogStore(new SqliteDatabase(Path.Combine(_directory, "stratus.db")));
        store.Append([Record("t2", 2), Record("t0", 0), Record("t1", 1), Record("t4", 4), Record("t3", 3), Record("other", 5, "beta")]);

        var first = store.Query(new LogQuery("alpha", 2));
        var second = store.Query(new LogQuery("alpha", 2) { Before = first.Before });
        var third = store.Query(new LogQuery("alpha", 2) { Before = second.Before });

        Assert.Equal(["t3", "t4"], first.Records.Select(r => r.RequestId));
        Assert.Equal(["t1", "t2"], second.Records.Select(r => r.RequestId));
        Assert.Equal(["t0"], third.Records.Select(r => r.RequestId));
        Assert.Null(third.Before);
    }

    [Fact]
    public void Query_ByRequestId_FindsOnlyThatRequestsRecords()
    {
        var store = new SqliteLogStore(new SqliteDatabase(Path.Combine(_directory, "stratus.db")));
        store.Append([.. Enumerable.Range(0, 50).Select(i => Record("r" + i, i))]);

        var page = store.Query(new LogQuery("alpha", 10) { RequestId = "r17" });

        var record = Assert.Single(page.Records);
        Assert.Equal(Start.AddSeconds(17), record.Timestamp);
        Assert.Empty(store.Query(new LogQuery("beta", 10) { RequestId = "r17" }).Records);
    }

    private static LogRecord Record(string id, int second, string function = "alpha") =>
        new(function, id, Start.AddSeconds(second), $"START RequestId: {id}\n", "2026/03/01/[$LATEST]00");
}
