using System.Buffers.Binary;

namespace Stratus.Billing;

/// <summary>
/// Journalled records on their way to the store, kept as the journal encodes them, each behind a
/// two-byte length (the first form of a stored block, <see cref="UsageBlockCodec"/>), and its texts
/// read as the UTF-8 they already are, with no string made per field.
/// </summary>
public sealed class UsageBatch
{
    private const int LengthBytes = sizeof(ushort);
    private readonly List<(int Start, int Length)> _records;
    private byte[] _buffer;
    private int _used;

    public UsageBatch(int capacity)
    {
        _records = new List<(int Start, int Length)>(capacity);
        // An encoded record is about 150 bytes (names, ids, numbers); the buffer grows if they are longer.
        _buffer = new byte[capacity * 192];
    }

    public int Count => _records.Count;

    /// <summary>A batch of records encoded as the journal encodes them (the import reads them from the journal instead).</summary>
    public static UsageBatch From(IEnumerable<UsageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var list = records.ToList();
        var batch = new UsageBatch(list.Count);
        foreach (var record in list)
        {
            if (!batch.Add(record))
            {
                throw new ArgumentException($"The usage record of {record.RequestId} does not fit a journal slot.", nameof(records));
            }
        }

        return batch;
    }

    /// <summary>Adds a record, encoded as the journal encodes it; false (and nothing added) when it does not fit a journal slot.</summary>
    public bool Add(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Span<byte> encoded = stackalloc byte[JournalFile.MaxPayload];
        var length = UsageRecordCodec.Encode(record, encoded);
        return length >= 0 && Add(encoded[..length]);
    }

    /// <summary>Adds an encoded record; false (and nothing added) when it is not one, as in a damaged file.</summary>
    public bool Add(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length > ushort.MaxValue || !UsageRecordCodec.TryRead(encoded, out _))
        {
            return false;
        }

        if (_buffer.Length - _used < LengthBytes + encoded.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _used + LengthBytes + encoded.Length));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_used), (ushort)encoded.Length);
        encoded.CopyTo(_buffer.AsSpan(_used + LengthBytes));
        _records.Add((_used + LengthBytes, encoded.Length));
        _used += LengthBytes + encoded.Length;
        return true;
    }

    /// <summary>The fields of record <paramref name="index"/>, valid until the batch is cleared.</summary>
    internal UsageFields this[int index]
    {
        get
        {
            var (start, length) = _records[index];
            UsageRecordCodec.TryRead(_buffer.AsSpan(start, length), out var fields);
            return fields;
        }
    }

    /// <summary>The next record of a block of the first form at <paramref name="at"/>; false at its end or where it is damaged.</summary>
    internal static bool TryNext(ReadOnlySpan<byte> block, scoped ref int at, out ReadOnlySpan<byte> record)
    {
        record = default;
        if (block.Length - at < LengthBytes)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(block[at..]);
        if (block.Length - at - LengthBytes < length)
        {
            return false;
        }

        record = block.Slice(at + LengthBytes, length);
        at += LengthBytes + length;
        return true;
    }

    public void Clear()
    {
        _records.Clear();
        _used = 0;
    }
}
