using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Stratus.Storage;

namespace Stratus.Events.Queues;

/// <summary>The SQS operations, reading JSON 1.0 request bodies and returning their response objects.</summary>
internal sealed class SqsOperations(QueueService queues, string endpoint, Tenancy.Caller caller)
{
    private static readonly EmptyResponse Empty = new();

    private static readonly HashSet<string> ByUrl = new(StringComparer.Ordinal)
    {
        "DeleteQueue", "SendMessage", "SendMessageBatch", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch", "GetQueueAttributes", "SetQueueAttributes", "PurgeQueue",
    };

    public async Task<(object Response, JsonTypeInfo Type)> RunAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case "CreateQueue":
            {
                var request = Read(body, SqsJson.Default.QueueNameRequest);
                var queue = queues.Create(request.QueueName, request.Attributes, caller.AccountId);
                return SqsApi.Result(new QueueUrlResponse(queues.Url(endpoint, queue.Name)), SqsJson.Default.QueueUrlResponse);
            }

            case "GetQueueUrl":
            {
                var request = Read(body, SqsJson.Default.QueueNameRequest);
                var name = request.QueueName ?? throw SqsException.Missing("QueueName");
                return SqsApi.Result(new QueueUrlResponse(queues.Url(endpoint, queues.Get(queues.KeyOf(caller.AccountId, name)).Name)), SqsJson.Default.QueueUrlResponse);
            }

            case "ListQueues":
            {
                var request = Read(body, SqsJson.Default.ListQueuesRequest);
                var (names, next) = queues.List(request.QueueNamePrefix, request.NextToken, request.MaxResults, caller.AccountId);
                return SqsApi.Result(new ListQueuesResponse([.. names.Select(n => queues.Url(endpoint, n))], next), SqsJson.Default.ListQueuesResponse);
            }

            case "ReceiveMessage":
                return SqsApi.Result(await ReceiveAsync(Read(body, SqsJson.Default.QueueRequest), cancellationToken), SqsJson.Default.ReceiveMessageResponse);

            case var known when ByUrl.Contains(known):
                return Run(operation, Read(body, SqsJson.Default.QueueRequest));
            default:
                throw new SqsException("UnknownOperationException", $"Stratus does not implement the SQS operation {operation}.");
        }
    }

    private (object Response, JsonTypeInfo Type) Run(string operation, QueueRequest request)
    {
        var name = queues.NameFromUrl(request.QueueUrl, caller);
        switch (operation)
        {
            case "DeleteQueue":
                queues.Delete(name);
                break;
            case "SendMessage":
                return SqsApi.Result(Send(name, request), SqsJson.Default.SendMessageResponse);
            case "SendMessageBatch":
                return SqsApi.Result(SendBatch(name, request.Entries), SqsJson.Default.BatchResponse);
            case "DeleteMessage":
                queues.DeleteMessage(name, request.ReceiptHandle);
                break;
            case "DeleteMessageBatch":
                return SqsApi.Result(EachEntry(request.Entries, e => queues.DeleteMessage(name, e.ReceiptHandle)), SqsJson.Default.BatchResponse);
            case "ChangeMessageVisibility":
                queues.ChangeVisibility(name, request.ReceiptHandle, request.VisibilityTimeout);
                break;
            case "ChangeMessageVisibilityBatch":
                return SqsApi.Result(EachEntry(request.Entries, e => queues.ChangeVisibility(name, e.ReceiptHandle, e.VisibilityTimeout)), SqsJson.Default.BatchResponse);
            case "GetQueueAttributes":
                return SqsApi.Result(new AttributesResponse(queues.GetAttributes(name, request.AttributeNames)), SqsJson.Default.AttributesResponse);
            case "SetQueueAttributes":
                queues.SetAttributes(name, request.Attributes);
                break;
            case "PurgeQueue":
                queues.Purge(name);
                break;
            default:
                throw new SqsException("UnknownOperationException", $"Stratus does not implement the SQS operation {operation}.");
        }

        return SqsApi.Result(Empty, SqsJson.Default.EmptyResponse);
    }

    private SendMessageResponse Send(string name, QueueRequest request)
    {
        var queue = queues.Get(name);
        var message = new OutgoingMessage(request.MessageBody ?? "", request.DelaySeconds, request.MessageAttributes);
        QueueService.Check(queue, message);
        var id = queues.Send(name, [message])[0];
        return new SendMessageResponse(id, MessageDigest.OfBody(message.Body), MessageDigest.OfAttributes(message.Attributes));
    }

    private BatchResponse SendBatch(string name, List<BatchEntry>? entries)
    {
        CheckBatch(entries);
        var queue = queues.Get(name);
        var total = 0;
        var accepted = new List<(BatchEntry Entry, OutgoingMessage Message)>();
        var failed = new List<BatchErrorEntry>();
        foreach (var entry in entries!)
        {
            var message = new OutgoingMessage(entry.MessageBody ?? "", entry.DelaySeconds, entry.MessageAttributes);
            try
            {
                total += MessageValidator.Check(message.Body, message.Attributes, queue.MaximumMessageSize);
                accepted.Add((entry, message));
            }
            catch (SqsException error)
            {
                failed.Add(new BatchErrorEntry(entry.Id!, true, error.Code, error.Message));
            }
        }

        if (total > queue.MaximumMessageSize)
        {
            throw SqsException.Batch("BatchRequestTooLong", $"Batch requests cannot be longer than {queue.MaximumMessageSize} bytes. You have sent {total} bytes.");
        }

        var ids = accepted.Count == 0 ? [] : queues.Send(name, [.. accepted.Select(a => a.Message)]);
        var successful = accepted.Select((a, i) => new BatchResultEntry(
            a.Entry.Id!, ids[i], MessageDigest.OfBody(a.Message.Body), MessageDigest.OfAttributes(a.Message.Attributes))).ToList();
        return new BatchResponse(successful, failed);
    }

    private static BatchResponse EachEntry(List<BatchEntry>? entries, Action<BatchEntry> action)
    {
        CheckBatch(entries);
        var successful = new List<BatchResultEntry>();
        var failed = new List<BatchErrorEntry>();
        foreach (var entry in entries!)
        {
            try
            {
                action(entry);
                successful.Add(new BatchResultEntry(entry.Id!));
            }
            catch (SqsException error) when (error.Code != "QueueDoesNotExist")
            {
                failed.Add(new BatchErrorEntry(entry.Id!, true, error.Code, error.Message));
            }
        }

        return new BatchResponse(successful, failed);
    }

    private static void CheckBatch(List<BatchEntry>? entries)
    {
        if (entries is null || entries.Count == 0)
        {
            throw SqsException.Batch("EmptyBatchRequest", "There should be at least one entry in the batch request.");
        }

        if (entries.Count > QueueLimits.MaxBatchEntries)
        {
            throw SqsException.Batch("TooManyEntriesInBatchRequest", $"Maximum number of entries per request are {QueueLimits.MaxBatchEntries}. You have sent {entries.Count}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!QueueNames.IsValid(entry.Id))
            {
                throw SqsException.Batch("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
            }

            if (!seen.Add(entry.Id!))
            {
                throw SqsException.Batch("BatchEntryIdsNotDistinct", $"Id {entry.Id} repeated.");
            }
        }
    }

    private async Task<ReceiveMessageResponse> ReceiveAsync(QueueRequest request, CancellationToken cancellationToken)
    {
        var name = queues.NameFromUrl(request.QueueUrl, caller);
        var queue = queues.Get(name);
        var max = request.MaxNumberOfMessages ?? 1;
        if (max is < 1 or > QueueLimits.MaxBatchEntries)
        {
            throw SqsException.InvalidParameter($"Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and {QueueLimits.MaxBatchEntries}, if provided.");
        }

        var wait = request.WaitTimeSeconds ?? queue.ReceiveMessageWaitTimeSeconds;
        if (wait is < 0 or > QueueLimits.MaxWaitSeconds)
        {
            throw SqsException.InvalidParameter($"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= {QueueLimits.MaxWaitSeconds}, if provided.");
        }

        if (request.VisibilityTimeout is < 0 or > QueueLimits.MaxVisibilityTimeout)
        {
            throw SqsException.InvalidParameter($"Value {request.VisibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and {QueueLimits.MaxVisibilityTimeout}.");
        }

        var messages = await queues.ReceiveAsync(name, max, request.VisibilityTimeout, TimeSpan.FromSeconds(wait), cancellationToken);
        var system = new HashSet<string>([.. request.AttributeNames ?? [], .. request.MessageSystemAttributeNames ?? []], StringComparer.Ordinal);
        return new ReceiveMessageResponse([.. messages.Select(m => Shape(m, system, request.MessageAttributeNames))]);
    }

    private static ReceivedMessage Shape(StoredMessage message, HashSet<string> system, List<string>? attributeNames)
    {
        Dictionary<string, string>? attributes = null;
        if (system.Count > 0)
        {
            var all = system.Contains("All");
            attributes = [];
            foreach (var (key, value) in SystemAttributes(message))
            {
                if (all || system.Contains(key))
                {
                    attributes[key] = value;
                }
            }
        }

        var chosen = ChooseAttributes(message.Attributes, attributeNames);
        return new ReceivedMessage(message.Id, message.Handle.ToString(), message.Md5OfBody, message.Body, attributes, MessageDigest.OfAttributes(chosen), chosen);
    }

    internal static IEnumerable<(string Name, string Value)> SystemAttributes(StoredMessage message)
    {
        yield return ("SenderId", message.SenderId);
        yield return ("SentTimestamp", message.SentAt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("ApproximateReceiveCount", message.ReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("ApproximateFirstReceiveTimestamp", message.FirstReceivedAt.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The message attributes a receive asked for: All, .*, a prefix ending in .*, or names.</summary>
    private static Dictionary<string, MessageAttributeValue>? ChooseAttributes(string? stored, List<string>? names)
    {
        if (stored is null || names is null || names.Count == 0)
        {
            return null;
        }

        var attributes = JsonSerializer.Deserialize(stored, SqsJson.Default.DictionaryStringMessageAttributeValue)!;
        var chosen = attributes.Where(a => names.Any(n => n is "All" or ".*" || n == a.Key || (n.EndsWith(".*", StringComparison.Ordinal) && a.Key.StartsWith(n[..^1], StringComparison.Ordinal))))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return chosen.Count == 0 ? null : chosen;
    }

    private static T Read<T>(byte[] body, JsonTypeInfo<T> type) where T : class =>
        body.Length == 0 ? throw new SqsException("SerializationException", "The request body is empty: send a JSON object.") : JsonSerializer.Deserialize(body, type) ?? throw new SqsException("SerializationException", "The request body is null: send a JSON object.");
}
