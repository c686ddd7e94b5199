using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Events;

/// <summary>SQS's JSON 1.0 error shape: <c>__type</c>, <c>message</c>, 400 and <c>x-amzn-query-error</c>; bad input changes nothing.</summary>
public sealed class SqsApiTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task GetQueueUrl_UnknownQueue_IsQueueDoesNotExistWithQueryErrorHeader()
    {
        var (status, body, queryError) = await SqsCalls.SendAsync(_host.Http, "GetQueueUrl", new JsonObject { ["QueueName"] = "nowhere" });

        Assert.Equal(400, status);
        Assert.Equal("com.amazonaws.sqs#QueueDoesNotExist", (string?)body["__type"]);
        Assert.Equal("The specified queue does not exist.", (string?)body["message"]);
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue;Sender", queryError);
    }

    [Theory]
    [InlineData("jobs.fifo", "InvalidParameterValue")]
    [InlineData("has space", "InvalidParameterValue")]
    [InlineData("", "MissingParameter")]
    public async Task CreateQueue_BadName_IsRefusedAndNothingIsCreated(string name, string code)
    {
        var (status, body, _) = await SqsCalls.SendAsync(_host.Http, "CreateQueue", new JsonObject { ["QueueName"] = name });
        var list = await SqsCalls.CallAsync(_host.Http, "ListQueues", new JsonObject());

        Assert.Equal(400, status);
        Assert.Equal("com.amazonaws.sqs#" + code, (string?)body["__type"]);
        Assert.Null(list["QueueUrls"]?.AsArray().FirstOrDefault());
    }

    [Fact]
    public async Task CreateQueue_UnknownOrFifoAttribute_IsInvalidAttributeName()
    {
        var (_, unknown, _) = await SqsCalls.SendAsync(_host.Http, "CreateQueue", new JsonObject { ["QueueName"] = "a", ["Attributes"] = new JsonObject { ["Colour"] = "blue" } });
        var (_, fifo, _) = await SqsCalls.SendAsync(_host.Http, "CreateQueue", new JsonObject { ["QueueName"] = "b", ["Attributes"] = new JsonObject { ["FifoQueue"] = "true" } });
        var (_, range, _) = await SqsCalls.SendAsync(_host.Http, "CreateQueue", new JsonObject { ["QueueName"] = "c", ["Attributes"] = new JsonObject { ["VisibilityTimeout"] = "50000" } });

        Assert.Equal("com.amazonaws.sqs#InvalidAttributeName", (string?)unknown["__type"]);
        Assert.Contains("FIFO", (string?)fifo["message"], StringComparison.Ordinal);
        Assert.Equal("com.amazonaws.sqs#InvalidAttributeValue", (string?)range["__type"]);
    }

    [Fact]
    public async Task SendMessageBatch_ElevenEntries_IsTooManyEntriesAndNothingIsSent()
    {
        var url = await SqsCalls.CreateQueueAsync(_host.Http, "batch");
        var (status, body, queryError) = await SqsCalls.SendAsync(_host.Http, "SendMessageBatch", new JsonObject
        {
            ["QueueUrl"] = url,
            ["Entries"] = new JsonArray([.. Enumerable.Range(0, 11).Select(i => (JsonNode)new JsonObject { ["Id"] = $"e{i}", ["MessageBody"] = "x" })]),
        });

        Assert.Equal(400, status);
        Assert.Equal("com.amazonaws.sqs#TooManyEntriesInBatchRequest", (string?)body["__type"]);
        Assert.Equal("AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender", queryError);
        Assert.Equal((0, 0), await SqsCalls.CountAsync(_host.Http, url));
    }

    [Fact]
    public async Task SendMessage_TooLargeOrInvalidCharacters_IsRefused()
    {
        var url = await SqsCalls.CreateQueueAsync(_host.Http, "limits");
        var (_, large, _) = await SqsCalls.SendAsync(_host.Http, "SendMessage", new JsonObject { ["QueueUrl"] = url, ["MessageBody"] = new string('x', 262145) });
        var (_, control, _) = await SqsCalls.SendAsync(_host.Http, "SendMessage", new JsonObject { ["QueueUrl"] = url, ["MessageBody"] = "bell\u0007" });

        Assert.Equal("com.amazonaws.sqs#InvalidParameterValue", (string?)large["__type"]);
        Assert.Equal("com.amazonaws.sqs#InvalidMessageContents", (string?)control["__type"]);
        Assert.Equal((0, 0), await SqsCalls.CountAsync(_host.Http, url));
    }

    [Fact]
    public async Task QueueMessages_FromTheServer_SendsToAQueueByArn()
    {
        var url = await SqsCalls.CreateQueueAsync(_host.Http, "destination");
        var messages = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Stratus.Events.IQueueMessages>(_host.Server.Services);

        var id = await messages.SendAsync("arn:aws:sqs:us-east-1:000000000000:destination", """{"failed":true}""", new Dictionary<string, string> { ["ErrorCode"] = "200" });
        var received = await SqsCalls.CallAsync(_host.Http, "ReceiveMessage", new JsonObject
        {
            ["QueueUrl"] = url,
            ["MessageAttributeNames"] = new JsonArray("All"),
        });

        Assert.True(messages.Exists("arn:aws:sqs:us-east-1:000000000000:destination"));
        Assert.False(messages.Exists("arn:aws:sqs:us-east-1:000000000000:elsewhere"));
        var message = received["Messages"]![0]!;
        Assert.Equal(id, (string?)message["MessageId"]);
        Assert.Equal("""{"failed":true}""", (string?)message["Body"]);
        Assert.Equal("200", (string?)message["MessageAttributes"]!["ErrorCode"]!["StringValue"]);
    }

    [Fact]
    public async Task Request_UnknownOperationOrBadJson_GetsProtocolErrors()
    {
        var (unknownStatus, unknown, _) = await SqsCalls.SendAsync(_host.Http, "FlyToTheMoon", new JsonObject());
        using var bad = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{not json") };
        bad.Headers.Add("X-Amz-Target", "AmazonSQS.ListQueues");
        using var response = await _host.Http.SendAsync(bad);
        var badBody = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var functions = await _host.Http.GetAsync("/2015-03-31/functions");

        Assert.Equal(400, unknownStatus);
        Assert.Equal("com.amazon.coral.service#UnknownOperationException", (string?)unknown["__type"]);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("com.amazon.coral.service#SerializationException", (string?)badBody["__type"]);
        Assert.True(functions.IsSuccessStatusCode, "the Lambda routes still answer beside POST /");
    }
}
