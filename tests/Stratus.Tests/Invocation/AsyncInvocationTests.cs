using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stratus.Events;
using Stratus.Invocation;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Invocation;

/// <summary>
/// Asynchronous invocation as Lambda does it: retries and their delays, maximum event age, throttles,
/// destinations and the dead-letter queue. Time is fake: the test moves it once the dispatcher has
/// reported the event's new state.
/// </summary>
public sealed class AsyncInvocationTests : IAsyncLifetime
{
    private const string Queue = "arn:aws:sqs:us-east-1:000000000000:outcomes";
    private const string DeadLetters = "arn:aws:sqs:us-east-1:000000000000:dead-letters";
    private const string SinkArn = "arn:aws:lambda:us-east-1:000000000000:function:sink";
    private static readonly DateTimeOffset Start = new(2025, 1, 6, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryQueues _queues = new();
    private StratusHost _host = null!;
    private AsyncAttempts _attempts = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync(time: _time, services: services => services.AddSingleton<IQueueMessages>(_queues));
        _attempts = new AsyncAttempts(_host);
        await _host.CreateFunctionAsync("work", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event) => {
              if (event.fail) throw new Error('failed ' + event.n);
              if (event.crash) process.exit(3);
              return { done: event.n };
            };
            """)));
        await _host.CreateFunctionAsync("sink", "nodejs20.x", "index.handler", Zips.Create(("index.js", "exports.handler = async (event) => event;")));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Event_FunctionKeepsFailing_RetriedAfterOneThenTwoMinutesThenRecordGoesToOnFailureFunction()
    {
        await PutConfigAsync("work", Destinations("OnFailure", SinkArn));

        var accepted = await _host.InvokeAsync("work", """{"fail":true,"n":7}""", type: "Event");
        var first = await _attempts.NextAsync("work");
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await _attempts.NextAsync("work");
        _time.Advance(TimeSpan.FromMinutes(2));
        var third = await _attempts.NextAsync("work");
        var delivered = await _attempts.NextAsync("sink");

        Assert.Equal(202, accepted.Status);
        Assert.Equal((AsyncAttempt.Retrying, Start + TimeSpan.FromMinutes(1)), (first.Outcome, first.RetryAt));
        Assert.Equal((AsyncAttempt.Retrying, Start + TimeSpan.FromMinutes(3)), (second.Outcome, second.RetryAt));
        Assert.Equal((AsyncAttempt.Failed, "RetriesExhausted", 3), (third.Outcome, third.Condition, third.InvokeCount));
        var record = JsonNode.Parse(delivered.Response.Span)!;
        Assert.Equal("1.0", (string?)record["version"]);
        Assert.Equal(third.RequestId, (string?)record["requestContext"]!["requestId"]);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:work:$LATEST", (string?)record["requestContext"]!["functionArn"]);
        Assert.Equal("RetriesExhausted", (string?)record["requestContext"]!["condition"]);
        Assert.Equal(3, (int?)record["requestContext"]!["approximateInvokeCount"]);
        Assert.Equal(7, (int?)record["requestPayload"]!["n"]);
        Assert.Equal(200, (int?)record["responseContext"]!["statusCode"]);
        Assert.Equal("$LATEST", (string?)record["responseContext"]!["executedVersion"]);
        Assert.Equal("Unhandled", (string?)record["responseContext"]!["functionError"]);
        Assert.Equal("failed 7", (string?)record["responsePayload"]!["errorMessage"]);
    }

    [Fact]
    public async Task Event_FunctionCrashes_CountsAsAFunctionErrorAndIsRetried()
    {
        await PutConfigAsync("work", """{"MaximumRetryAttempts":1}""");

        await _host.InvokeAsync("work", """{"crash":true}""", type: "Event");
        var first = await _attempts.NextAsync("work");
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = await _attempts.NextAsync("work");

        Assert.Equal((AsyncAttempt.Retrying, 1), (first.Outcome, first.InvokeCount));
        Assert.Equal("Runtime.ExitError", (string?)JsonNode.Parse(first.Response.Span)!["errorType"]);
        Assert.Equal((AsyncAttempt.Failed, "RetriesExhausted", 2), (second.Outcome, second.Condition, second.InvokeCount));
    }

    [Fact]
    public async Task Event_Succeeds_SuccessRecordGoesToOnSuccessQueue()
    {
        await PutConfigAsync("work", Destinations("OnSuccess", Queue));

        await _host.InvokeAsync("work", """{"n":3}""", type: "Event");
        var attempt = await _attempts.NextAsync("work");
        var message = await _queues.ReceiveAsync(Queue);

        var record = JsonNode.Parse(message.Body)!;
        Assert.Equal(AsyncAttempt.Succeeded, attempt.Outcome);
        Assert.Equal("Success", (string?)record["requestContext"]!["condition"]);
        Assert.Equal(1, (int?)record["requestContext"]!["approximateInvokeCount"]);
        Assert.Equal(3, (int?)record["requestPayload"]!["n"]);
        Assert.Null(record["responseContext"]!["functionError"]);
        Assert.Equal(3, (int?)record["responsePayload"]!["done"]);
        Assert.EndsWith("Z", (string?)record["timestamp"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_NoRetriesAndDeadLetterQueue_PayloadGoesToDeadLetterQueueAndRecordToOnFailureQueue()
    {
        using var update = await SendAsync(HttpMethod.Put, "/2015-03-31/functions/work/configuration", $$$"""{"DeadLetterConfig":{"TargetArn":"{{{DeadLetters}}}"}}""");
        await PutConfigAsync("work", Destinations("OnFailure", Queue, "\"MaximumRetryAttempts\":0,"));

        var accepted = await _host.InvokeAsync("work", """{"fail":true,"n":1}""", type: "Event");
        var attempt = await _attempts.NextAsync("work");
        var dead = await _queues.ReceiveAsync(DeadLetters);
        var failure = JsonNode.Parse((await _queues.ReceiveAsync(Queue)).Body)!;

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal((AsyncAttempt.Failed, "RetriesExhausted", 1), (attempt.Outcome, attempt.Condition, attempt.InvokeCount));
        Assert.Equal("""{"fail":true,"n":1}""", dead.Body);
        Assert.Equal(attempt.RequestId, dead.Attributes["RequestID"]);
        Assert.Equal("200", dead.Attributes["ErrorCode"]);
        Assert.Equal("failed 1", dead.Attributes["ErrorMessage"]);
        Assert.Equal("RetriesExhausted", (string?)failure["requestContext"]!["condition"]);
        Assert.Equal(1, (int?)failure["requestContext"]!["approximateInvokeCount"]);
        Assert.NotNull(accepted);
    }

    [Fact]
    public async Task Event_OlderThanMaximumEventAge_FailsWithEventAgeExceededWithoutRunningAgain()
    {
        await PutConfigAsync("work", Destinations("OnFailure", Queue, "\"MaximumEventAgeInSeconds\":60,"));

        await _host.InvokeAsync("work", """{"fail":true,"n":2}""", type: "Event");
        var first = await _attempts.NextAsync("work");
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var last = await _attempts.NextAsync("work");
        var record = JsonNode.Parse((await _queues.ReceiveAsync(Queue)).Body)!;

        Assert.Equal(AsyncAttempt.Retrying, first.Outcome);
        Assert.Equal((AsyncAttempt.Failed, "EventAgeExceeded", 1), (last.Outcome, last.Condition, last.InvokeCount));
        Assert.Equal("EventAgeExceeded", (string?)record["requestContext"]!["condition"]);
        Assert.Equal(2, (int?)record["requestPayload"]!["n"]);
    }

    [Fact]
    public async Task Event_Throttled_RetriedWithGrowingBackoffWithoutUsingRetriesUntilItRuns()
    {
        using var zero = await SendAsync(HttpMethod.Put, "/2017-10-31/functions/work/concurrency", """{"ReservedConcurrentExecutions":0}""");

        await _host.InvokeAsync("work", """{"n":5}""", type: "Event");
        var first = await _attempts.NextAsync("work");
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await _attempts.NextAsync("work");
        using var lifted = await SendAsync(HttpMethod.Delete, "/2017-10-31/functions/work/concurrency");
        _time.Advance(TimeSpan.FromSeconds(2));
        var third = await _attempts.NextAsync("work");

        Assert.Equal(HttpStatusCode.OK, zero.StatusCode);
        Assert.Equal((AsyncAttempt.Throttled, Start + TimeSpan.FromSeconds(1)), (first.Outcome, first.RetryAt));
        Assert.Equal((AsyncAttempt.Throttled, Start + TimeSpan.FromSeconds(3)), (second.Outcome, second.RetryAt));
        Assert.Equal((AsyncAttempt.Succeeded, 1), (third.Outcome, third.InvokeCount));
        Assert.Equal("""{"done":5}""", Encoding.UTF8.GetString(third.Response.Span));
    }

    [Fact]
    public async Task EnqueueAsync_SameDeduplicationKeyAfterRestart_ReturnsEarlierRequestIdAndRunsOnce()
    {
        var events = _host.Server.Services.GetRequiredService<IAsyncInvocations>();
        var first = await events.EnqueueAsync(new AsyncEvent("work", null, """{"n":1}"""u8.ToArray(), "schedule", "tick-1"));
        var again = await events.EnqueueAsync(new AsyncEvent("work", null, """{"n":2}"""u8.ToArray(), "schedule", "tick-1"));
        var ran = await _attempts.NextAsync("work");
        await _host.Server.DisposeAsync();
        await using var restarted = await StratusHost.StartAsync(dataDirectory: _host.DataDirectory, time: _time);
        var afterRestart = await restarted.Server.Services.GetRequiredService<IAsyncInvocations>()
            .EnqueueAsync(new AsyncEvent("work", null, """{"n":3}"""u8.ToArray(), "schedule", "tick-1"));

        Assert.False(first.Duplicate);
        Assert.Equal(new AsyncAccepted(first.RequestId, Duplicate: true), again);
        Assert.Equal(new AsyncAccepted(first.RequestId, Duplicate: true), afterRestart);
        Assert.Equal((first.RequestId, """{"done":1}"""), (ran.RequestId, Encoding.UTF8.GetString(ran.Response.Span)));
    }

    [Fact]
    public async Task Event_FunctionDeletedWhileQueued_IsDroppedAndItsConfigurationGoes()
    {
        await PutConfigAsync("sink", """{"MaximumRetryAttempts":1}""");
        using (await SendAsync(HttpMethod.Put, "/2017-10-31/functions/sink/concurrency", """{"ReservedConcurrentExecutions":0}"""))
        {
        }

        await _host.InvokeAsync("sink", "{}", type: "Event");
        await _attempts.NextAsync("sink");
        using var deleted = await SendAsync(HttpMethod.Delete, "/2015-03-31/functions/sink");
        _time.Advance(TimeSpan.FromSeconds(1));
        var dropped = await _attempts.NextAsync("sink");
        await _host.CreateFunctionAsync("sink", "nodejs20.x", "index.handler", Zips.NodeEcho());
        using var config = await SendAsync(HttpMethod.Get, "/2019-09-25/functions/sink/event-invoke-config");

        Assert.Equal(AsyncAttempt.Dropped, dropped.Outcome);
        Assert.Equal(HttpStatusCode.NotFound, config.StatusCode);
    }

    private static string Destinations(string condition, string arn, string other = "") =>
        "{" + other + "\"DestinationConfig\":{\"" + condition + "\":{\"Destination\":\"" + arn + "\"}}}";

    private async Task PutConfigAsync(string function, string body)
    {
        using var response = await SendAsync(HttpMethod.Put, $"/2019-09-25/functions/{function}/event-invoke-config", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null) =>
        _host.Http.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") });
}
