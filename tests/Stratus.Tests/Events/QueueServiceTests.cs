using Microsoft.Extensions.Time.Testing;
using Stratus.Events.Queues;
using Stratus.Hosting;
using Stratus.Storage;
using Stratus.Storage.Sqlite;

namespace Stratus.Tests.Events;

/// <summary>SQS semantics of the queues, on the SQLite store, with a clock only the test moves.</summary>
public sealed class QueueServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 6, 0, 0, 0, TimeSpan.Zero));
    private readonly string _directory = Directory.CreateTempSubdirectory("stratus-queues-").FullName;
    private readonly QueueService _queues;

    public QueueServiceTests()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "stratus.db"));
        _queues = new QueueService(new SqliteQueueStore(database), new StratusOptions(), _time);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Receive_WithinVisibilityTimeout_HidesMessageUntilTimeoutEnds()
    {
        _queues.Create("jobs", new Dictionary<string, string> { ["VisibilityTimeout"] = "10" });
        Send("jobs", "one");

        var first = await ReceiveAsync("jobs");
        _time.Advance(TimeSpan.FromSeconds(9));
        var hidden = await ReceiveAsync("jobs");
        _time.Advance(TimeSpan.FromSeconds(1));
        var again = await ReceiveAsync("jobs");

        Assert.Equal("one", Assert.Single(first).Body);
        Assert.Empty(hidden);
        var back = Assert.Single(again);
        Assert.Equal(2, back.ReceiveCount);
        Assert.NotEqual(first[0].Handle, back.Handle);
        Assert.Equal(first[0].FirstReceivedAt, back.FirstReceivedAt);
    }

    [Fact]
    public async Task DeleteMessage_AfterReceive_MessageNeverComesBack()
    {
        _queues.Create("jobs", new Dictionary<string, string> { ["VisibilityTimeout"] = "5" });
        Send("jobs", "one");
        var received = Assert.Single(await ReceiveAsync("jobs"));

        _queues.DeleteMessage("jobs", received.Handle.ToString());
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Empty(await ReceiveAsync("jobs"));
    }

    [Fact]
    public async Task Send_WithDelay_MessageIsDelayedUntilDelayEnds()
    {
        _queues.Create("jobs", null);
        _queues.Send("jobs", [new OutgoingMessage("later", 30, null)]);

        var early = await ReceiveAsync("jobs");
        var delayed = _queues.GetAttributes("jobs", ["ApproximateNumberOfMessagesDelayed"]);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Empty(early);
        Assert.Equal("1", delayed["ApproximateNumberOfMessagesDelayed"]);
        Assert.Equal("later", Assert.Single(await ReceiveAsync("jobs")).Body);
    }

    [Fact]
    public async Task Receive_AfterRetentionPeriod_MessageIsGone()
    {
        _queues.Create("jobs", new Dictionary<string, string> { ["MessageRetentionPeriod"] = "60" });
        Send("jobs", "old");

        _time.Advance(TimeSpan.FromSeconds(61));

        Assert.Empty(await ReceiveAsync("jobs"));
        Assert.Equal("0", _queues.GetAttributes("jobs", ["All"])["ApproximateNumberOfMessages"]);
    }

    [Fact]
    public async Task Receive_PastMaxReceiveCount_MovesMessageToDeadLetterQueue()
    {
        _queues.Create("dead", null);
        _queues.Create("jobs", new Dictionary<string, string>
        {
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = """{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}""",
        });
        var id = Send("jobs", "poison");

        var receives = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            receives.Add((await ReceiveAsync("jobs")).Count);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([1, 1, 0], receives);
        var dead = Assert.Single(await ReceiveAsync("dead"));
        Assert.Equal(id, dead.Id);
        Assert.Equal("poison", dead.Body);
        Assert.Equal(1, dead.ReceiveCount);
    }

    [Fact]
    public async Task ChangeVisibility_ToZero_MessageIsVisibleAtOnce()
    {
        _queues.Create("jobs", null);
        Send("jobs", "one");
        var received = Assert.Single(await ReceiveAsync("jobs"));

        _queues.ChangeVisibility("jobs", received.Handle.ToString(), 0);

        Assert.Single(await ReceiveAsync("jobs"));
        var stale = Assert.Throws<SqsException>(() => _queues.ChangeVisibility("jobs", received.Handle.ToString(), 10));
        Assert.Equal("MessageNotInflight", stale.Code);
    }

    [Fact]
    public async Task Purge_WithMessages_LeavesQueueEmpty()
    {
        _queues.Create("jobs", null);
        Send("jobs", "one");
        Send("jobs", "two");

        _queues.Purge("jobs");

        Assert.Empty(await ReceiveAsync("jobs"));
    }

    [Fact]
    public async Task ReceiveAsync_LongPoll_WakesWhenMessageIsSent()
    {
        _queues.Create("jobs", null);
        var waiting = _queues.ReceiveAsync("jobs", 10, null, TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        Send("jobs", "wake");

        // The clock has not moved: only the send's signal can have ended the wait.
        Assert.Equal("wake", Assert.Single(await waiting.WaitAsync(TimeSpan.FromSeconds(30))).Body);
    }

    [Fact]
    public async Task ReceiveAsync_LongPoll_WakesWhenDelayEnds()
    {
        _queues.Create("jobs", null);
        _queues.Send("jobs", [new OutgoingMessage("later", 5, null)]);
        var waiting = _queues.ReceiveAsync("jobs", 10, null, TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("later", Assert.Single(await waiting.WaitAsync(TimeSpan.FromSeconds(30))).Body);
    }

    [Fact]
    public async Task ReceiveAsync_LongPollWithNoMessage_ReturnsEmptyAtWaitTime()
    {
        _queues.Create("jobs", null);
        var waiting = _queues.ReceiveAsync("jobs", 10, null, TimeSpan.FromSeconds(20), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.Empty(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task ReceiveAsync_LongPollCancelled_ReturnsEmptyAtOnce()
    {
        _queues.Create("jobs", null);
        using var stop = new CancellationTokenSource();
        var waiting = _queues.ReceiveAsync("jobs", 10, null, TimeSpan.FromSeconds(20), stop.Token);

        await stop.CancelAsync();

        Assert.Empty(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Create_SameNameDifferentAttributes_IsRefused()
    {
        _queues.Create("jobs", new Dictionary<string, string> { ["VisibilityTimeout"] = "10" });

        var same = _queues.Create("jobs", new Dictionary<string, string> { ["VisibilityTimeout"] = "10" });
        var error = Assert.Throws<SqsException>(() => _queues.Create("jobs", new Dictionary<string, string> { ["VisibilityTimeout"] = "20" }));

        Assert.Equal(10, same.VisibilityTimeout);
        Assert.Equal("QueueNameExists", error.Code);
    }

    [Fact]
    public async Task SendAsync_ByArn_StoresMessageWithStringAttributes()
    {
        _queues.Create("dlq", null);

        var id = await _queues.SendAsync("arn:aws:sqs:us-east-1:000000000000:dlq", "{}", new Dictionary<string, string> { ["ErrorCode"] = "200" });

        Assert.True(_queues.Exists("arn:aws:sqs:us-east-1:000000000000:dlq"));
        Assert.False(_queues.Exists("arn:aws:sqs:us-east-1:000000000000:other"));
        var message = Assert.Single(await ReceiveAsync("dlq"));
        Assert.Equal(id, message.Id);
        Assert.Contains("ErrorCode", message.Attributes, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageDigest_OfAttributes_MatchesSqs()
    {
        // The value SQS gives for one String attribute (length-prefixed name, type, transport byte 1, value).
        var digest = MessageDigest.OfAttributes(new Dictionary<string, MessageAttributeValue>
        {
            ["a"] = new() { DataType = "String", StringValue = "x" },
        });

        Assert.Equal("a512aac9938034acb0b3c3d965944bf1", digest);
        Assert.Equal("5d41402abc4b2a76b9719d911017c592", MessageDigest.OfBody("hello"));
    }

    private string Send(string queue, string body) => _queues.Send(queue, [new OutgoingMessage(body, null, null)])[0];

    private Task<IReadOnlyList<StoredMessage>> ReceiveAsync(string queue) =>
        _queues.ReceiveAsync(queue, 10, null, TimeSpan.Zero, CancellationToken.None);
}
