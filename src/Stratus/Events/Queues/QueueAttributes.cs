using System.Globalization;
using System.Text.Json;
using Stratus.Storage;

namespace Stratus.Events.Queues;

/// <summary>Reads the attributes CreateQueue and SetQueueAttributes accept onto a queue, checking each.</summary>
internal static class QueueAttributes
{
    /// <summary>Accepted and reported back but not acted on (access policy, encryption settings).</summary>
    private static readonly HashSet<string> Passive = new(StringComparer.Ordinal)
    {
        "Policy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "RedriveAllowPolicy",
    };

    private static readonly HashSet<string> Fifo = new(StringComparer.Ordinal)
    {
        "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
    };

    public static readonly string[] Readable =
    [
        "Policy", "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
        "ApproximateNumberOfMessagesDelayed", "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "RedrivePolicy",
        "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "RedriveAllowPolicy",
    ];

    /// <summary>Returns <paramref name="queue"/> with <paramref name="attributes"/> applied.</summary>
    /// <param name="rootAccountId">The root account, whose queues have bare registry names.</param>
    public static QueueDefinition Apply(QueueDefinition queue, IReadOnlyDictionary<string, string>? attributes, Func<string, bool> queueExists, string rootAccountId)
    {
        if (attributes is null)
        {
            return queue;
        }

        var other = queue.Other.ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in attributes)
        {
            switch (name)
            {
                case "VisibilityTimeout":
                    queue = queue with { VisibilityTimeout = Number(name, value, 0, QueueLimits.MaxVisibilityTimeout) };
                    break;
                case "DelaySeconds":
                    queue = queue with { DelaySeconds = Number(name, value, 0, QueueLimits.MaxDelaySeconds) };
                    break;
                case "MessageRetentionPeriod":
                    queue = queue with { MessageRetentionPeriod = Number(name, value, QueueLimits.MinRetention, QueueLimits.MaxRetention) };
                    break;
                case "MaximumMessageSize":
                    queue = queue with { MaximumMessageSize = Number(name, value, QueueLimits.MinMessageBytes, QueueLimits.MaxMessageBytes) };
                    break;
                case "ReceiveMessageWaitTimeSeconds":
                    queue = queue with { ReceiveMessageWaitTimeSeconds = Number(name, value, 0, QueueLimits.MaxWaitSeconds) };
                    break;
                case "RedrivePolicy":
                    queue = queue with { RedrivePolicy = value.Length == 0 ? null : CheckRedrive(value, queueExists, Tenancy.ScopedNames.Owner(queue.Name, rootAccountId), rootAccountId) };
                    break;
                case var passive when Passive.Contains(passive):
                    other[name] = value;
                    break;
                case var fifo when Fifo.Contains(fifo):
                    if (name == "FifoQueue" && !string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
                    {
                        break;
                    }

                    throw SqsException.InvalidAttributeName($"Stratus queues are standard queues: FIFO queues are not supported ({name}).");
                default:
                    throw SqsException.InvalidAttributeName($"Unknown Attribute {name}.");
            }
        }

        return queue with { Other = other };
    }

    /// <summary>The dead-letter queue and receive count of a stored redrive policy.</summary>
    public static RedriveTarget? Redrive(QueueDefinition queue, string rootAccountId)
    {
        if (queue.RedrivePolicy is null)
        {
            return null;
        }

        var (arn, max) = ParseRedrive(queue.RedrivePolicy);
        return QueueArn.TryParse(arn, out var name, rootAccountId) ? new RedriveTarget(name, max) : null;
    }

    // The dead-letter queue must be the same account's: another tenant's would receive this one's messages.
    private static string CheckRedrive(string value, Func<string, bool> queueExists, string accountId, string rootAccountId)
    {
        var (arn, max) = ParseRedrive(value);
        if (!QueueArn.TryParse(arn, out var name, rootAccountId) || Tenancy.ScopedNames.Owner(name, rootAccountId) != accountId || !queueExists(name))
        {
            throw SqsException.InvalidParameter($"Value {value} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.");
        }

        if (max is < 1 or > QueueLimits.MaxReceiveCountLimit)
        {
            throw SqsException.InvalidParameter($"Value {value} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: {max}, valid values are from 1 to {QueueLimits.MaxReceiveCountLimit} both inclusive.");
        }

        // Stored in SQS's own shape, which GetQueueAttributes returns.
        return $$"""{"deadLetterTargetArn":"{{arn}}","maxReceiveCount":{{max}}}""";
    }

    private static (string Arn, int MaxReceiveCount) ParseRedrive(string value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            var root = document.RootElement;
            var arn = root.TryGetProperty("deadLetterTargetArn", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
            var max = 0;
            if (root.TryGetProperty("maxReceiveCount", out var m))
            {
                max = m.ValueKind == JsonValueKind.Number && m.TryGetInt32(out var n) ? n
                    : m.ValueKind == JsonValueKind.String && int.TryParse(m.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s
                    : 0;
            }

            return (arn, max);
        }
        catch (JsonException)
        {
            throw SqsException.InvalidParameter($"Value {value} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.");
        }
    }

    private static int Number(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw SqsException.InvalidAttributeValue($"Invalid value for the parameter {name}: {value} must be a whole number between {min} and {max}.");
}
