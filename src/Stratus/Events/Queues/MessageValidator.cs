using System.Text;

namespace Stratus.Events.Queues;

/// <summary>Checks a message's body and attributes as SQS does and returns its size in bytes.</summary>
internal static class MessageValidator
{
    public static int Check(string? body, IReadOnlyDictionary<string, MessageAttributeValue>? attributes, int maximumSize)
    {
        if (string.IsNullOrEmpty(body))
        {
            throw SqsException.Missing("MessageBody");
        }

        if (!IsAllowedText(body))
        {
            throw new SqsException("InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
        }

        var size = Encoding.UTF8.GetByteCount(body) + CheckAttributes(attributes);
        if (size > maximumSize)
        {
            throw SqsException.InvalidParameter($"One or more parameters are invalid. Reason: Message must be shorter than {maximumSize} bytes.");
        }

        return size;
    }

    private static int CheckAttributes(IReadOnlyDictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null)
        {
            return 0;
        }

        if (attributes.Count > QueueLimits.MaxMessageAttributes)
        {
            throw SqsException.InvalidParameter($"Number of message attributes [{attributes.Count}] exceeds the allowed maximum [{QueueLimits.MaxMessageAttributes}].");
        }

        var size = 0;
        foreach (var (name, value) in attributes)
        {
            if (!IsAttributeName(name))
            {
                throw SqsException.InvalidParameter($"Message attribute name '{name}' is invalid: use up to 256 of A-Z, a-z, 0-9, '_', '-' and '.', not starting with 'AWS.' or 'Amazon.', with no '..'.");
            }

            var type = value.DataType ?? throw SqsException.InvalidParameter($"The message attribute '{name}' must contain non-empty message attribute type.");
            var isBinary = type.StartsWith("Binary", StringComparison.Ordinal);
            if (!isBinary && !type.StartsWith("String", StringComparison.Ordinal) && !type.StartsWith("Number", StringComparison.Ordinal))
            {
                throw SqsException.InvalidParameter($"The type of message (user) attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.");
            }

            if (value.StringListValues is { Count: > 0 } || value.BinaryListValues is { Count: > 0 })
            {
                throw SqsException.InvalidParameter($"Message attribute '{name}': list values are not supported.");
            }

            if (isBinary ? value.BinaryValue is null || value.StringValue is not null : string.IsNullOrEmpty(value.StringValue) || value.BinaryValue is not null)
            {
                throw SqsException.InvalidParameter($"The message attribute '{name}' with type '{type}' must use field '{(isBinary ? "Binary" : "String")}'.");
            }

            if (!isBinary && !IsAllowedText(value.StringValue!))
            {
                throw SqsException.InvalidParameter($"The message attribute '{name}' contains invalid characters.");
            }

            size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(type) + (isBinary ? value.BinaryValue!.Length : Encoding.UTF8.GetByteCount(value.StringValue!));
        }

        return size;
    }

    private static bool IsAttributeName(string name)
    {
        if (name.Length is 0 or > 256 || name.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase)
            || name.Contains("..", StringComparison.Ordinal) || name[0] == '.' || name[^1] == '.')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-' and not '.')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllowedText(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            // A lone surrogate is not a character: it fails to decode.
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            var v = rune.Value;
            if (!(v is 0x9 or 0xA or 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000))
            {
                return false;
            }

            i += used;
        }

        return true;
    }
}
