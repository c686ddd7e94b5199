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
        WriteNumbers(destination[at..], record.Attempt, metrics.StartedAt.UtcTicks, metrics.DurationMs, metrics.BilledMs, metrics.InitDurationMs,
            metrics.MemorySizeMb, metrics.MaxMemoryUsedMb, metrics.CpuMicros);
        return at + Numbers;
    }

    /// <summary>As <see cref="Encode(UsageRecord, Span{byte})"/>, from fields read back (a stored block's).</summary>
    public static int Encode(in UsageFields fields, Span<byte> destination)
    {
        var at = 0;
        if (!Put(fields.AccountId, destination, ref at) || !Put(fields.FunctionName, destination, ref at) || !Put(fields.Version, destination, ref at)
            || !Put(fields.RequestId, destination, ref at) || !Put(fields.Trigger, destination, ref at) || !Put(fields.Outcome, destination, ref at) || !Put(fields.Runtime, destination, ref at)
            || destination.Length - at < Numbers)
        {
            return -1;
        }

        WriteNumbers(destination[at..], fields.Attempt, fields.StartedAt.UtcTicks, fields.DurationMs, fields.BilledMs, fields.InitDurationMs,
            fields.MemorySizeMb, fields.MaxMemoryUsedMb, fields.CpuMicros);
        return at + Numbers;
    }

    private static void WriteNumbers(Span<byte> numbers, int attempt, long ticks, double durationMs, long billedMs, double initDurationMs,
        int memorySizeMb, long maxMemoryUsedMb, long cpuMicros)
    {
        BinaryPrimitives.WriteInt32LittleEndian(numbers, attempt);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[4..], ticks);
        BinaryPrimitives.WriteDoubleLittleEndian(numbers[12..], durationMs);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[20..], billedMs);
        BinaryPrimitives.WriteDoubleLittleEndian(numbers[28..], initDurationMs);
        BinaryPrimitives.WriteInt32LittleEndian(numbers[36..], memorySizeMb);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[40..], maxMemoryUsedMb);
        BinaryPrimitives.WriteInt64LittleEndian(numbers[48..], cpuMicros);
    }

    /// <summary>The record in <paramref name="source"/>, or null when it is not one (a damaged file).</summary>
    public static UsageRecord? Decode(ReadOnlySpan<byte> source)
    {
        if (!TryRead(source, out var fields))
        {
            return null;
        }

        return new UsageRecord(
            Encoding.UTF8.GetString(fields.AccountId),
            Encoding.UTF8.GetString(fields.FunctionName),
            Encoding.UTF8.GetString(fields.Version),
            Encoding.UTF8.GetString(fields.RequestId),
            fields.Attempt,
            Encoding.UTF8.GetString(fields.Trigger),
            new InvocationMetrics(
                fields.StartedAt, fields.DurationMs, fields.BilledMs, fields.InitDurationMs, fields.MemorySizeMb, fields.MaxMemoryUsedMb, fields.CpuMicros,
                Encoding.UTF8.GetString(fields.Outcome)))
        {
            Runtime = Encoding.UTF8.GetString(fields.Runtime),
        };
    }

    /// <summary>The fields of the record in <paramref name="source"/>, its texts left as UTF-8; false when it is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out UsageFields fields)
    {
        fields = default;
        var at = 0;
        if (!Take(source, ref at, out fields.AccountId) || !Take(source, ref at, out fields.FunctionName) || !Take(source, ref at, out fields.Version)
            || !Take(source, ref at, out fields.RequestId) || !Take(source, ref at, out fields.Trigger) || !Take(source, ref at, out fields.Outcome) || !Take(source, ref at, out fields.Runtime)
            || source.Length - at < Numbers)
        {
            return false;
        }

        var numbers = source[at..];
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(numbers[4..]);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        fields.Attempt = BinaryPrimitives.ReadInt32LittleEndian(numbers);
        fields.StartedAt = new DateTimeOffset(ticks, TimeSpan.Zero);
        fields.DurationMs = BinaryPrimitives.ReadDoubleLittleEndian(numbers[12..]);
        fields.BilledMs = BinaryPrimitives.ReadInt64LittleEndian(numbers[20..]);
        fields.InitDurationMs = BinaryPrimitives.ReadDoubleLittleEndian(numbers[28..]);
        fields.MemorySizeMb = BinaryPrimitives.ReadInt32LittleEndian(numbers[36..]);
        fields.MaxMemoryUsedMb = BinaryPrimitives.ReadInt64LittleEndian(numbers[40..]);
        fields.CpuMicros = BinaryPrimitives.ReadInt64LittleEndian(numbers[48..]);
        return true;
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

    private static bool Put(ReadOnlySpan<byte> text, Span<byte> destination, ref int at)
    {
        if (text.Length > byte.MaxValue || destination.Length - at < 1 + text.Length)
        {
            return false;
        }

        destination[at] = (byte)text.Length;
        text.CopyTo(destination[(at + 1)..]);
        at += 1 + text.Length;
        return true;
    }

    private static bool Take(ReadOnlySpan<byte> source, scoped ref int at, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (source.Length - at < 1 || source.Length - at - 1 < source[at])
        {
            return false;
        }

        text = source.Slice(at + 1, source[at]);
        at += 1 + source[at];
        return true;
    }
}

/// <summary>A journalled record's fields as they lie in the journal: texts in UTF-8, not yet strings.</summary>
internal ref struct UsageFields
{
    public ReadOnlySpan<byte> AccountId;
    public ReadOnlySpan<byte> FunctionName;
    public ReadOnlySpan<byte> Version;
    public ReadOnlySpan<byte> RequestId;
    public ReadOnlySpan<byte> Trigger;
    public ReadOnlySpan<byte> Outcome;
    public ReadOnlySpan<byte> Runtime;
    public int Attempt;
    public DateTimeOffset StartedAt;
    public double DurationMs;
    public long BilledMs;
    public double InitDurationMs;
    public int MemorySizeMb;
    public long MaxMemoryUsedMb;
    public long CpuMicros;
}
