using System.Buffers.Binary;
using System.Text;
using Stratus.Execution;

namespace Stratus.Billing;

/// <summary>
/// A usage record as the journal holds it: a compact binary form, written without allocating.
/// Strings carry a one-byte length (names, versions and request ids are far shorter than 255 bytes);
/// numbers are little-endian.
/// </summary>
internal static class UsageRecordCodec
{
    private const int Numbers = sizeof(int) + (sizeof(long) * 5) + (sizeof(double) * 2) + sizeof(int);

    /// <summary>Bytes written to <paramref name="destination"/>, or -1 when the record does not fit.</summary>
    public static int Encode(UsageRecord record, Span<byte> destination)
    {
        var at = 0;
        if (!Put(record.AccountId, destination, ref at) || !Put(record.FunctionName, destination, ref at) || !Put(record.Version, destination, ref at)
            || !Put(record.RequestId, destination, ref at) || !Put(record.Trigger, destination, ref at) || !Put(record.Metrics.Outcome, destination, ref at) || !Put(record.Runtime, destination, ref at)
            || destination.Length - at < Numbers)
        {
            return -1;
        }

        var metrics = record.Metrics;
        var numbers = destination[at..];
        BinaryPrimitives.WriteInt32LittleEndian(numbers, record.Attempt);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[4..], metrics.StartedAt.UtcTicks);
        BinaryPrimitives.WriteDoubleLittleEndian(numbers[12..], metrics.DurationMs);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[20..], metrics.BilledMs);
        BinaryPrimitives.WriteDoubleLittleEndian(numbers[28..], metrics.InitDurationMs);
        BinaryPrimitives.WriteInt32LittleEndian(numbers[36..], metrics.MemorySizeMb);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[40..], metrics.MaxMemoryUsedMb);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[48..], metrics.CpuMicros);
        return at + Numbers;
    }

    /// <summary>The record in <paramref name="source"/>, or null when it is not one (a damaged file).</summary>
    public static UsageRecord? Decode(ReadOnlySpan<byte> source)
    {
        var at = 0;
        if (!Take(source, ref at, out var account) || !Take(source, ref at, out var function) || !Take(source, ref at, out var version)
            || !Take(source, ref at, out var requestId) || !Take(source, ref at, out var trigger) || !Take(source, ref at, out var outcome) || !Take(source, ref at, out var runtime)
            || source.Length - at < Numbers)
        {
            return null;
        }

        var numbers = source[at..];
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(numbers[4..]);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return null;
        }

        return new UsageRecord(account, function, version, requestId, BinaryPrimitives.ReadInt32LittleEndian(numbers), trigger, new InvocationMetrics(
            new DateTimeOffset(ticks, TimeSpan.Zero),
            BinaryPrimitives.ReadDoubleLittleEndian(numbers[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(numbers[20..]),
            BinaryPrimitives.ReadDoubleLittleEndian(numbers[28..]),
            BinaryPrimitives.ReadInt32LittleEndian(numbers[36..]),
            BinaryPrimitives.ReadInt64LittleEndian(numbers[40..]),
            BinaryPrimitives.ReadInt64LittleEndian(numbers[48..]),
            outcome))
        {
            Runtime = runtime,
        };
    }

    private static bool Put(string text, Span<byte> destination, ref int at)
    {
        if (destination.Length - at < 1 || !Encoding.UTF8.TryGetBytes(text, destination[(at + 1)..], out var length) || length > byte.MaxValue)
        {
            return false;
        }

        destination[at] = (byte)length;
        at += 1 + length;
        return true;
    }

    private static bool Take(ReadOnlySpan<byte> source, ref int at, out string text)
    {
        text = "";
        if (source.Length - at < 1 || source.Length - at - 1 < source[at])
        {
            return false;
        }

        text = Encoding.UTF8.GetString(source.Slice(at + 1, source[at]));
        at += 1 + source[at];
        return true;
    }
}
