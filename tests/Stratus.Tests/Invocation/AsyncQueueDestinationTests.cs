using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Invocation;

/// <summary>
/// Asynchronous invocations and Stratus's own queues together: an OnFailure destination and a
/// dead-letter queue that are real queues, read back through the SQS API as a user would.
/// </summary>
public sealed class AsyncQueueDestinationTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Event_FailsWithoutRetries_RecordReachesOnFailureQueueAndPayloadTheDeadLetterQueue()
    {
        var outcomes = await SqsCalls.CreateQueueAsync(_host.Http, "outcomes");
        var dead = await SqsCalls.CreateQueueAsync(_host.Http, "dead-letters");
        await _host.CreateFunctionAsync("fails", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event) => { throw new Error('no ' + event.n); };
            """)));
        await SendAsync(HttpMethod.Put, "/2015-03-31/functions/fails/configuration",
            """{"DeadLetterConfig":{"TargetArn":"arn:aws:sqs:us-east-1:000000000000:dead-letters"}}""");
        await SendAsync(HttpMethod.Put, "/2019-09-25/functions/fails/event-invoke-config",
            """{"MaximumRetryAttempts":0,"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:000000000000:outcomes"}}}""");

        var accepted = await _host.InvokeAsync("fails", """{"n":7}""", type: "Event");
        var record = await ReceiveOneAsync(outcomes);
        var letter = await ReceiveOneAsync(dead);

        Assert.Equal(202, accepted.Status);
        var body = JsonNode.Parse((string)record["Body"]!)!;
        Assert.Equal("RetriesExhausted", (string?)body["requestContext"]!["condition"]);
        Assert.Equal(7, (int?)body["requestPayload"]!["n"]);
        Assert.Equal("Unhandled", (string?)body["responseContext"]!["functionError"]);
        Assert.Equal("""{"n":7}""", (string)letter["Body"]!);
        Assert.Equal("no 7", (string?)letter["MessageAttributes"]!["ErrorMessage"]!["StringValue"]);
    }

    private async Task<JsonNode> ReceiveOneAsync(string queueUrl)
    {
        // Long polling: the receive returns as soon as the message is sent.
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var received = await SqsCalls.CallAsync(_host.Http, "ReceiveMessage", new JsonObject
            {
                ["QueueUrl"] = queueUrl,
                ["WaitTimeSeconds"] = 20,
                ["MessageAttributeNames"] = new JsonArray("All"),
            });
            if (received["Messages"]?.AsArray() is [var message, ..])
            {
                return message!;
            }
        }

        throw new TimeoutException("no message reached " + queueUrl);
    }

    private async Task SendAsync(HttpMethod method, string path, string body)
    {
        using var response = await _host.Http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
