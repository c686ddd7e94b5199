using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Stratus.Tests.Infrastructure;

/// <summary>Raw SQS JSON 1.0 calls (<c>POST /</c>, <c>X-Amz-Target: AmazonSQS.&lt;Operation&gt;</c>) to a Stratus server.</summary>
public static class SqsCalls
{
    public static async Task<(int Status, JsonNode Body, string? QueryError)> SendAsync(HttpClient http, string operation, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.Add("X-Amz-Target", "AmazonSQS." + operation);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var queryError = response.Headers.TryGetValues("x-amzn-query-error", out var values) ? values.First() : null;
        return ((int)response.StatusCode, JsonNode.Parse(text)!, queryError);
    }

    /// <summary>Calls an operation that must succeed.</summary>
    public static async Task<JsonNode> CallAsync(HttpClient http, string operation, JsonObject body)
    {
        var (status, reply, _) = await SendAsync(http, operation, body);
        Assert.True(status == 200, $"{operation} failed: {status} {reply.ToJsonString()}");
        return reply;
    }

    /// <summary>Creates a queue and returns its URL.</summary>
    public static async Task<string> CreateQueueAsync(HttpClient http, string name, JsonObject? attributes = null)
    {
        var body = new JsonObject { ["QueueName"] = name };
        if (attributes is not null)
        {
            body["Attributes"] = attributes;
        }

        return (string)(await CallAsync(http, "CreateQueue", body))["QueueUrl"]!;
    }

    public static Task<JsonNode> SendMessagesAsync(HttpClient http, string queueUrl, params string[] bodies)
    {
        var entries = new JsonArray();
        for (var i = 0; i < bodies.Length; i++)
        {
            entries.Add(new JsonObject { ["Id"] = $"m{i}", ["MessageBody"] = bodies[i] });
        }

        return CallAsync(http, "SendMessageBatch", new JsonObject { ["QueueUrl"] = queueUrl, ["Entries"] = entries });
    }

    /// <summary>Long-polls a queue (up to 20 s a call, a few calls) for its next message; null when none came.</summary>
    public static async Task<JsonNode?> ReceiveOneAsync(HttpClient http, string queueUrl, int calls = 3)
    {
        for (var i = 0; i < calls; i++)
        {
            var reply = await CallAsync(http, "ReceiveMessage", new JsonObject
            {
                ["QueueUrl"] = queueUrl,
                ["WaitTimeSeconds"] = 20,
                ["MessageSystemAttributeNames"] = new JsonArray("All"),
            });
            if (reply["Messages"]?.AsArray() is { Count: > 0 } messages)
            {
                return messages[0];
            }
        }

        return null;
    }

    public static async Task<(int Visible, int InFlight)> CountAsync(HttpClient http, string queueUrl)
    {
        var reply = await CallAsync(http, "GetQueueAttributes", new JsonObject
        {
            ["QueueUrl"] = queueUrl,
            ["AttributeNames"] = new JsonArray("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"),
        });
        return (int.Parse((string)reply["Attributes"]!["ApproximateNumberOfMessages"]!, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse((string)reply["Attributes"]!["ApproximateNumberOfMessagesNotVisible"]!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
