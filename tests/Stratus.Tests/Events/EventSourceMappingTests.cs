using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Events;

/// <summary>
/// Event source mappings from a queue to a real node function, which reports every batch it gets to a
/// listener of the test. Waits are on those reports and on long polls, never on the clock.
/// </summary>
public sealed class EventSourceMappingTests : IAsyncLifetime
{
    private const string Account = "000000000000";
    private RecordingListener _reports = null!;
    private StratusHost _host = null!;

    public async Task InitializeAsync()
    {
        _reports = await RecordingListener.StartAsync();
        _host = await StratusHost.StartAsync();
        await _host.CreateFunctionAsync("consumer", "nodejs20.x", "index.handler", QueueFunctions.Reporter(), timeout: 3,
            environment: new Dictionary<string, string> { ["REPORT_PORT"] = _reports.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _reports.DisposeAsync();
    }

    [Fact]
    public async Task Mapping_WithReportedItemFailures_ReturnsOnlyFailedMessagesToTheQueue()
    {
        var (queue, dlq) = await QueueWithDeadLetterAsync("partial", maxReceiveCount: 2);
        await SqsCalls.SendMessagesAsync(_host.Http, queue, "ok-1", "fail-2", "ok-3");

        await CreateMappingAsync("partial", new JsonObject { ["FunctionResponseTypes"] = new JsonArray("ReportBatchItemFailures") });
        var first = await _reports.NextAsync();
        var second = await _reports.NextAsync();
        var dead = await SqsCalls.ReceiveOneAsync(_host.Http, dlq);

        Assert.Equal(["fail-2", "ok-1", "ok-3"], Bodies(first).Order());
        Assert.Equal("aws:sqs", (string?)first["eventSource"]);
        Assert.Equal($"arn:aws:sqs:us-east-1:{Account}:partial", (string?)first["eventSourceARN"]);
        Assert.Equal(["fail-2"], Bodies(second));
        Assert.Equal([2], second["receiveCounts"]!.AsArray().Select(c => (int)c!));
        Assert.Equal("fail-2", (string?)dead?["Body"]);
        Assert.Equal((0, 0), await SqsCalls.CountAsync(_host.Http, queue));
    }

    [Fact]
    public async Task Mapping_FunctionFailsOnPoisonMessage_MessageReachesDeadLetterQueueAfterMaxReceiveCount()
    {
        var (queue, dlq) = await QueueWithDeadLetterAsync("poisoned", maxReceiveCount: 2);
        var sent = await SqsCalls.SendMessagesAsync(_host.Http, queue, "poison");

        await CreateMappingAsync("poisoned", new JsonObject { ["BatchSize"] = 1 });
        var attempts = new[] { await _reports.NextAsync(), await _reports.NextAsync() };
        var dead = await SqsCalls.ReceiveOneAsync(_host.Http, dlq);

        Assert.All(attempts, a => Assert.Equal(["poison"], Bodies(a)));
        Assert.Equal([1, 2], attempts.Select(a => (int)a["receiveCounts"]![0]!));
        Assert.NotNull(dead);
        Assert.Equal((string?)sent["Successful"]![0]!["MessageId"], (string?)dead["MessageId"]);
        Assert.Equal((0, 0), await SqsCalls.CountAsync(_host.Http, queue));
    }

    [Fact]
    public async Task Mapping_ManyMessages_DeliversEachOnceInBatchesNoLargerThanBatchSize()
    {
        var queue = await SqsCalls.CreateQueueAsync(_host.Http, "many");
        var bodies = Enumerable.Range(0, 25).Select(i => $"message-{i}").ToArray();
        foreach (var chunk in bodies.Chunk(10))
        {
            await SqsCalls.SendMessagesAsync(_host.Http, queue, chunk);
        }

        await CreateMappingAsync("many", new JsonObject { ["BatchSize"] = 4, ["ScalingConfig"] = new JsonObject { ["MaximumConcurrency"] = 2 } });
        var delivered = new List<string>();
        var batchSizes = new List<int>();
        while (delivered.Count < bodies.Length)
        {
            var batch = Bodies(await _reports.NextAsync());
            batchSizes.Add(batch.Length);
            delivered.AddRange(batch);
        }

        Assert.Equal(bodies.Order(), delivered.Order());
        Assert.All(batchSizes, size => Assert.InRange(size, 1, 4));
    }

    [Fact]
    public async Task Mapping_WithMaximumConcurrency_RunsNoMoreBatchesAtOnce()
    {
        var queue = await SqsCalls.CreateQueueAsync(_host.Http, "bounded");
        await SqsCalls.SendMessagesAsync(_host.Http, queue, [.. Enumerable.Range(0, 6).Select(i => $"slow-{i}")]);
        _reports.Hold();

        await CreateMappingAsync("bounded", new JsonObject { ["BatchSize"] = 1, ["ScalingConfig"] = new JsonObject { ["MaximumConcurrency"] = 2 } });
        await _reports.NextAsync();
        await _reports.NextAsync();

        // Both running batches wait on the listener's reply: the poller may take no third message now.
        var (visible, inFlight) = await SqsCalls.CountAsync(_host.Http, queue);
        _reports.Release();
        for (var i = 2; i < 6; i++)
        {
            await _reports.NextAsync();
        }

        Assert.Equal((4, 2), (visible, inFlight));
    }

    [Fact]
    public async Task Mapping_MessageAttributes_ReachFunctionInLambdaShape()
    {
        var queue = await SqsCalls.CreateQueueAsync(_host.Http, "shaped");
        await SqsCalls.CallAsync(_host.Http, "SendMessage", new JsonObject
        {
            ["QueueUrl"] = queue,
            ["MessageBody"] = "with attributes",
            ["MessageAttributes"] = new JsonObject { ["color"] = new JsonObject { ["DataType"] = "String", ["StringValue"] = "blue" } },
        });

        await CreateMappingAsync("shaped", new JsonObject());
        var report = await _reports.NextAsync();

        var color = report["messageAttributes"]!["color"]!;
        Assert.Equal("blue", (string?)color["stringValue"]);
        Assert.Equal("String", (string?)color["dataType"]);
        Assert.Empty(color["stringListValues"]!.AsArray());
    }

    [Fact]
    public async Task CreateMapping_BadSettings_AreRefusedWithLambdaErrors()
    {
        await SqsCalls.CreateQueueAsync(_host.Http, "strict", new JsonObject { ["VisibilityTimeout"] = "1" });
        await SqsCalls.CreateQueueAsync(_host.Http, "roomy");

        var shortVisibility = await PostMappingAsync("strict", new JsonObject());
        var bigBatch = await PostMappingAsync("roomy", new JsonObject { ["BatchSize"] = 100 });
        var concurrency = await PostMappingAsync("roomy", new JsonObject { ["ScalingConfig"] = new JsonObject { ["MaximumConcurrency"] = 1 } });
        var noQueue = await PostMappingAsync("absent", new JsonObject());

        Assert.Equal(HttpStatusCode.BadRequest, shortVisibility.StatusCode);
        Assert.Contains("Queue visibility timeout: 1 seconds is less than Function timeout: 3 seconds", await shortVisibility.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("greater than 0 if maximum batch size is greater than 10", await bigBatch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, concurrency.StatusCode);
        Assert.Equal("InvalidParameterValueException", noQueue.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    private async Task<(string Queue, string DeadLetterQueue)> QueueWithDeadLetterAsync(string name, int maxReceiveCount)
    {
        var dlq = await SqsCalls.CreateQueueAsync(_host.Http, name + "-dlq");
        var queue = await SqsCalls.CreateQueueAsync(_host.Http, name, new JsonObject
        {
            ["VisibilityTimeout"] = "3",
            ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:{{Account}}:{{name}}-dlq","maxReceiveCount":{{maxReceiveCount}}}""",
        });
        return (queue, dlq);
    }

    private async Task CreateMappingAsync(string queue, JsonObject settings)
    {
        using var response = await PostMappingAsync(queue, settings);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostMappingAsync(string queue, JsonObject settings)
    {
        settings["FunctionName"] = "consumer";
        settings["EventSourceArn"] = $"arn:aws:sqs:us-east-1:{Account}:{queue}";
        return _host.Http.PostAsync("/2015-03-31/event-source-mappings/", new StringContent(settings.ToJsonString(), Encoding.UTF8, "application/json"));
    }

    private static string[] Bodies(JsonNode report) => [.. report["bodies"]!.AsArray().Select(b => (string)b!)];
}
