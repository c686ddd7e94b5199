using System.Text.Json.Serialization;

namespace Stratus.Events.Queues;

// Request and response bodies of SQS's AWS JSON 1.0 protocol, named as the service model names them.

internal sealed class MessageAttributeValue
{
    public string? StringValue { get; set; }

    public byte[]? BinaryValue { get; set; }

    public List<string>? StringListValues { get; set; }

    public List<byte[]>? BinaryListValues { get; set; }

    public string? DataType { get; set; }
}

internal sealed class QueueNameRequest
{
    public string? QueueName { get; set; }

    public Dictionary<string, string>? Attributes { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }

    public string? QueueOwnerAWSAccountId { get; set; }
}

internal sealed class ListQueuesRequest
{
    public string? QueueNamePrefix { get; set; }

    public string? NextToken { get; set; }

    public int? MaxResults { get; set; }
}

/// <summary>What a message entry of a batch and a single-message request have in common.</summary>
internal abstract class MessageFields
{
    public string? MessageBody { get; set; }

    public int? DelaySeconds { get; set; }

    public Dictionary<string, MessageAttributeValue>? MessageAttributes { get; set; }

    public Dictionary<string, MessageAttributeValue>? MessageSystemAttributes { get; set; }

    public string? MessageDeduplicationId { get; set; }

    public string? MessageGroupId { get; set; }

    public string? ReceiptHandle { get; set; }

    public int? VisibilityTimeout { get; set; }
}

/// <summary>The body of every operation that names a queue by URL; unused members stay null.</summary>
internal sealed class QueueRequest : MessageFields
{
    public string? QueueUrl { get; set; }

    public List<BatchEntry>? Entries { get; set; }

    public List<string>? AttributeNames { get; set; }

    public List<string>? MessageSystemAttributeNames { get; set; }

    public List<string>? MessageAttributeNames { get; set; }

    public int? MaxNumberOfMessages { get; set; }

    public int? WaitTimeSeconds { get; set; }

    public string? ReceiveRequestAttemptId { get; set; }

    public Dictionary<string, string>? Attributes { get; set; }
}

internal sealed class BatchEntry : MessageFields
{
    public string? Id { get; set; }
}

internal sealed record QueueUrlResponse(string QueueUrl);

internal sealed record ListQueuesResponse(IReadOnlyList<string> QueueUrls, string? NextToken);

internal sealed record SendMessageResponse(string MessageId, string MD5OfMessageBody, string? MD5OfMessageAttributes);

internal sealed record BatchResultEntry(string Id, string? MessageId = null, string? MD5OfMessageBody = null, string? MD5OfMessageAttributes = null);

internal sealed record BatchErrorEntry(string Id, bool SenderFault, string Code, string Message);

internal sealed record BatchResponse(IReadOnlyList<BatchResultEntry> Successful, IReadOnlyList<BatchErrorEntry> Failed);

internal sealed record ReceivedMessage(
    string MessageId,
    string ReceiptHandle,
    string MD5OfBody,
    string Body,
    Dictionary<string, string>? Attributes,
    string? MD5OfMessageAttributes,
    Dictionary<string, MessageAttributeValue>? MessageAttributes);

internal sealed record ReceiveMessageResponse(IReadOnlyList<ReceivedMessage> Messages);

internal sealed record AttributesResponse(Dictionary<string, string> Attributes);

internal sealed record EmptyResponse;

internal sealed record SqsErrorBody([property: JsonPropertyName("__type")] string Type, [property: JsonPropertyName("message")] string Message);


[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QueueNameRequest))]
[JsonSerializable(typeof(ListQueuesRequest))]
[JsonSerializable(typeof(QueueRequest))]
[JsonSerializable(typeof(QueueUrlResponse))]
[JsonSerializable(typeof(ListQueuesResponse))]
[JsonSerializable(typeof(SendMessageResponse))]
[JsonSerializable(typeof(BatchResponse))]
[JsonSerializable(typeof(ReceiveMessageResponse))]
[JsonSerializable(typeof(AttributesResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(SqsErrorBody))]
[JsonSerializable(typeof(Dictionary<string, MessageAttributeValue>))]
internal sealed partial class SqsJson : JsonSerializerContext;
