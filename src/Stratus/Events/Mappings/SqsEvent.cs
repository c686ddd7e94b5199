using System.Text.Json;
using Stratus.Events.Queues;
using Stratus.Storage;

namespace Stratus.Events.Mappings;

/// <summary>Lambda's SQS event for a batch, and the partial batch response a function may return.</summary>
internal static class SqsEvent
{
    public static byte[] Build(IReadOnlyList<StoredMessage> batch, string queueArn, string region)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("Records");
            foreach (var message in batch)
            {
                json.WriteStartObject();
                json.WriteString("messageId", message.Id);
                json.WriteString("receiptHandle", message.Handle.ToString());
                json.WriteString("body", message.Body);
                json.WriteStartObject("attributes");
                json.WriteString("ApproximateReceiveCount", Text(message.ReceiveCount));
                json.WriteString("SentTimestamp", Text(message.SentAt));
                json.WriteString("SenderId", message.SenderId);
                json.WriteString("ApproximateFirstReceiveTimestamp", Text(message.FirstReceivedAt));
                json.WriteEndObject();
                json.WriteStartObject("messageAttributes");
                WriteAttributes(json, message.Attributes);
                json.WriteEndObject();
                json.WriteString("md5OfBody", message.Md5OfBody);
                json.WriteString("eventSource", "aws:sqs");
                json.WriteString("eventSourceARN", queueArn);
                json.WriteString("awsRegion", region);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The message ids a function reported as failed (<c>{"batchItemFailures":[{"itemIdentifier":…}]}</c>);
    /// empty when all succeeded; null when the response is invalid, which fails the whole batch as in Lambda.
    /// </summary>
    public static HashSet<string>? Failures(ReadOnlyMemory<byte> payload, IReadOnlyList<StoredMessage> batch)
    {
        var failed = new HashSet<string>(StringComparer.Ordinal);
        if (payload.IsEmpty)
        {
            return failed;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("batchItemFailures", out var failures)
                || failures.ValueKind == JsonValueKind.Null)
            {
                return failed;
            }

            if (failures.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var item in failures.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("itemIdentifier", out var id)
                    || id.ValueKind != JsonValueKind.String
                    || id.GetString() is not { Length: > 0 } messageId
                    || !batch.Any(m => m.Id == messageId))
                {
                    return null;
                }

                failed.Add(messageId);
            }

            return failed;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteAttributes(Utf8JsonWriter json, string? stored)
    {
        if (stored is null)
        {
            return;
        }

        foreach (var (name, value) in JsonSerializer.Deserialize(stored, SqsJson.Default.DictionaryStringMessageAttributeValue)!)
        {
            json.WriteStartObject(name);
            if (value.StringValue is { } text)
            {
                json.WriteString("stringValue", text);
            }

            if (value.BinaryValue is { } binary)
            {
                json.WriteBase64String("binaryValue", binary);
            }

            json.WriteStartArray("stringListValues");
            json.WriteEndArray();
            json.WriteStartArray("binaryListValues");
            json.WriteEndArray();
            json.WriteString("dataType", value.DataType);
            json.WriteEndObject();
        }
    }

    private static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
