namespace Stratus.Billing;

/// <summary>
/// Journalled records on their way to the store, kept as the journal encodes them: the store binds
/// their texts as the UTF-8 they already are, with no string made per field.
/// </summary>
public sealed class UsageBatch
{
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
        Span<byte> encoded = stackalloc byte[JournalFile.MaxPayload];
        foreach (var record in list)
        {
            var length = UsageRecordCodec.Encode(record, encoded);
            if (length < 0 || !batch.Add(encoded[..length]))
            {
                throw new ArgumentException($"The usage record of {record.RequestId} does not fit a journal slot.", nameof(records));
            }
        }

        return batch;
    }

    /// <summary>Adds an encoded record; false (and nothing added) when it is not one, as in a damaged file.</summary>
    public bool Add(ReadOnlySpan<byte> encoded)
    {
        if (!UsageRecordCodec.TryRead(encoded, out _))
        {
            return false;
        }

        if (_buffer.Length - _used < encoded.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _used + encoded.Length));
        }

        encoded.CopyTo(_buffer.AsSpan(_used));
        _records.Add((_used, encoded.Length));
        _used += encoded.Length;
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

    public void Clear()
    {
        _records.Clear();
        _used = 0;
    }
}
