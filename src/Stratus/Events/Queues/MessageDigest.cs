using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Stratus.Events.Queues;

/// <summary>The MD5 digests SQS returns and the SDKs verify, computed exactly as SQS computes them.</summary>
// MD5 here is SQS's integrity check, which the clients verify: it protects nothing secret.
#pragma warning disable CA5351
internal static class MessageDigest
{
    private const byte StringTransport = 1;
    private const byte BinaryTransport = 2;

    public static string OfBody(string body) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)));

    /// <summary>
    /// Over the attributes sorted by name: each name, data type and value as a 4-byte big-endian length
    /// and its bytes, with a transport byte (1 string, 2 binary) before the value.
    /// </summary>
    public static string? OfAttributes(IReadOnlyDictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        foreach (var name in attributes.Keys.Order(StringComparer.Ordinal))
        {
            var value = attributes[name];
            Write(buffer, Encoding.UTF8.GetBytes(name));
            Write(buffer, Encoding.UTF8.GetBytes(value.DataType ?? ""));
            if (value.BinaryValue is { } binary)
            {
                buffer.WriteByte(BinaryTransport);
                Write(buffer, binary);
            }
            else
            {
                buffer.WriteByte(StringTransport);
                Write(buffer, Encoding.UTF8.GetBytes(value.StringValue ?? ""));
            }
        }

        return Convert.ToHexStringLower(MD5.HashData(buffer.ToArray()));
    }

    private static void Write(MemoryStream buffer, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
#pragma warning restore CA5351
