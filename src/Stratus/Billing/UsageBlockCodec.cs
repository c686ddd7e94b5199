using System.Buffers.Binary;
using System.Buffers.Text;

namespace Stratus.Billing;

/// <summary>
/// The stored form of a batch of usage records (one row of <c>usage_blocks</c>), about a quarter of
/// the size of the records as the journal encodes them: what repeats from record to record (account,
/// function, version, trigger, outcome, runtime) is written once per block in a table of shapes, a
/// request id that is a UUID takes its 16 bytes instead of 36 characters, start times are differences
/// from the record before, and small numbers take the bytes they need. Every block the import writes
/// is stored twice over by SQLite (its write-ahead log, then the database), so its size is most of
/// what metering costs the disk.
/// <para>
/// A block begins with <c>FF FF 02</c>; a block of the first form (each record as the journal encodes
/// it, behind a two-byte length) can never begin so, as a record fits a 512-byte slot. Both are read.
/// </para>
/// </summary>
internal static class UsageBlockCodec
{
    private const byte Version = 2;
    private const byte UuidId = 0x10;
    private const byte TextId = 0x00;
    private const byte InitNone = 0;
    private const byte InitZero = 1;
    private const byte InitValue = 2;
    private const int UuidTextLength = 36;

    /// <summary>The texts of a shape, in the order a block stores them: account, function, version, trigger, outcome, runtime.</summary>
    private const int ShapeTexts = 6;

    /// <summary>The batch's records as one block.</summary>
    public static byte[] Encode(UsageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var shapes = new Dictionary<int, int>(new ShapeComparer(batch));
        var shapeRecords = new List<int>();
        var records = new BlockWriter(batch.Count * 40);
        var lastShape = -1;
        var lastShapeFields = default(UsageFields);
        long previousTicks = 0;
        Span<byte> uuidText = stackalloc byte[UuidTextLength];
        Span<byte> uuid = stackalloc byte[16];
        for (var i = 0; i < batch.Count; i++)
        {
            var record = batch[i];
            // Records come in runs of one function: most have the shape of the record before.
            if (lastShape < 0 || !SameShape(lastShapeFields, record))
            {
                if (!shapes.TryGetValue(i, out lastShape))
                {
                    lastShape = shapeRecords.Count;
                    shapes.Add(i, lastShape);
                    shapeRecords.Add(i);
                }

                lastShapeFields = batch[shapeRecords[lastShape]];
            }

            records.Varint((ulong)lastShape);
            if (IsUuid(record.RequestId, uuid, uuidText))
            {
                records.Byte(UuidId);
                records.Bytes(uuid);
            }
            else
            {
                records.Byte(TextId);
                records.Text(record.RequestId);
            }

            records.Zigzag(record.Attempt);
            var ticks = record.StartedAt.UtcTicks;
            records.Zigzag(ticks - previousTicks);
            previousTicks = ticks;
            records.Double(record.DurationMs);
            records.Zigzag(record.BilledMs);
            if (record.InitDurationMs.Equals(-1d))
            {
                records.Byte(InitNone);
            }
            else if (record.InitDurationMs.Equals(0d) && !double.IsNegative(record.InitDurationMs))
            {
                records.Byte(InitZero);
            }
            else
            {
                records.Byte(InitValue);
                records.Double(record.InitDurationMs);
            }

            records.Zigzag(record.MemorySizeMb);
            records.Zigzag(record.MaxMemoryUsedMb);
            records.Zigzag(record.CpuMicros);
        }

        var block = new BlockWriter(records.Length + (shapeRecords.Count * 64) + 16);
        block.Byte(0xFF);
        block.Byte(0xFF);
        block.Byte(Version);
        block.Varint((ulong)shapeRecords.Count);
        foreach (var index in shapeRecords)
        {
            var record = batch[index];
            block.Text(record.AccountId);
            block.Text(record.FunctionName);
            block.Text(record.Version);
            block.Text(record.Trigger);
            block.Text(record.Outcome);
            block.Text(record.Runtime);
        }

        block.Varint((ulong)batch.Count);
        block.Bytes(records.Written);
        return block.Written.ToArray();
    }

    /// <summary>
    /// What to look for in a stored block to find a request id quickly: its 16 bytes in a block of this
    /// form when it is a UUID, else its text.
    /// </summary>
    public static byte[] Needle(ReadOnlySpan<byte> block, byte[] requestId)
    {
        Span<byte> uuid = stackalloc byte[16];
        Span<byte> scratch = stackalloc byte[UuidTextLength];
        return IsCompact(block) && IsUuid(requestId, uuid, scratch) ? uuid.ToArray() : requestId;
    }

    /// <summary>Whether a stored block is of this form (else of the first).</summary>
    private static bool IsCompact(ReadOnlySpan<byte> block) => block.Length >= 3 && block[0] == 0xFF && block[1] == 0xFF;

    /// <summary>Whether <paramref name="text"/> is a UUID as .NET writes one (lowercase, with hyphens): its 16 bytes then.</summary>
    private static bool IsUuid(ReadOnlySpan<byte> text, Span<byte> bytes, Span<byte> scratch) =>
        text.Length == UuidTextLength
        && Utf8Parser.TryParse(text, out Guid guid, out var consumed, 'D') && consumed == UuidTextLength
        && Utf8Formatter.TryFormat(guid, scratch, out _, 'D') && scratch.SequenceEqual(text)
        && guid.TryWriteBytes(bytes, bigEndian: true, out _);

    private static bool SameShape(UsageFields a, UsageFields b) =>
        a.AccountId.SequenceEqual(b.AccountId) && a.FunctionName.SequenceEqual(b.FunctionName) && a.Version.SequenceEqual(b.Version)
        && a.Trigger.SequenceEqual(b.Trigger) && a.Outcome.SequenceEqual(b.Outcome) && a.Runtime.SequenceEqual(b.Runtime);

    /// <summary>Shapes by the index of a record that has them, compared by that record's texts.</summary>
    private sealed class ShapeComparer(UsageBatch batch) : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => SameShape(batch[x], batch[y]);

        public int GetHashCode(int index)
        {
            var record = batch[index];
            var hash = new HashCode();
            hash.AddBytes(record.AccountId);
            hash.AddBytes(record.FunctionName);
            hash.AddBytes(record.Version);
            hash.AddBytes(record.Trigger);
            hash.AddBytes(record.Outcome);
            hash.AddBytes(record.Runtime);
            return hash.ToHashCode();
        }
    }

    /// <summary>A growing byte buffer with the few encodings a block uses.</summary>
    private struct BlockWriter(int capacity)
    {
        private byte[] _buffer = new byte[Math.Max(64, capacity)];

        public int Length { get; private set; }

        public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

        public void Byte(byte value) => Room(1)[0] = value;

        public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Room(value.Length));

        public void Text(ReadOnlySpan<byte> value)
        {
            Varint((ulong)value.Length);
            Bytes(value);
        }

        public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Room(8), value);

        public void Zigzag(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

        public void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                Byte((byte)(value | 0x80));
                value >>= 7;
            }

            Byte((byte)value);
        }

        private Span<byte> Room(int count)
        {
            if (_buffer.Length - Length < count)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
            }

            var room = _buffer.AsSpan(Length, count);
            Length += count;
            return room;
        }
    }

    /// <summary>
    /// Reads a stored block of either form, a record at a time, each as the journal encodes it (for
    /// <see cref="UsageRecordCodec"/>). Stops at the end, or where the block is damaged.
    /// </summary>
    public ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _block;
        private readonly bool _compact;
        private readonly byte[] _scratch;
        private readonly byte[] _uuidText;
        private readonly (int Start, int Length)[] _shapes;
        private int _at;
        private long _remaining;
        private long _ticks;

        public Reader(ReadOnlySpan<byte> block)
        {
            _block = block;
            _scratch = [];
            _uuidText = [];
            _shapes = [];
            _compact = IsCompact(block);
            if (!_compact)
            {
                return;
            }

            _at = 3;
            if (block[2] != Version || !TryVarint(out var count) || count > (ulong)block.Length)
            {
                _remaining = 0;
                return;
            }

            _shapes = new (int, int)[(int)count * ShapeTexts];
            for (var i = 0; i < _shapes.Length; i++)
            {
                if (!TryText(out var start, out var length))
                {
                    return;
                }

                _shapes[i] = (start, length);
            }

            if (TryVarint(out var records))
            {
                _remaining = (long)Math.Min(records, (ulong)block.Length);
                _scratch = new byte[JournalFile.MaxPayload];
                _uuidText = new byte[UuidTextLength];
            }
        }

        /// <summary>The next record as the journal encodes it; false at the end or at damage.</summary>
        public bool TryNext(out ReadOnlySpan<byte> encoded)
        {
            encoded = default;
            if (!_compact)
            {
                return UsageBatch.TryNext(_block, ref _at, out encoded);
            }

            if (_remaining <= 0)
            {
                return false;
            }

            _remaining--;
            var fields = default(UsageFields);
            if (!TryVarint(out var shape) || shape >= (ulong)(_shapes.Length / ShapeTexts) || !TryByte(out var idForm))
            {
                return Fail();
            }

            var names = (int)shape * ShapeTexts;
            fields.AccountId = Shape(names);
            fields.FunctionName = Shape(names + 1);
            fields.Version = Shape(names + 2);
            fields.Trigger = Shape(names + 3);
            fields.Outcome = Shape(names + 4);
            fields.Runtime = Shape(names + 5);
            if (idForm == UuidId)
            {
                if (_block.Length - _at < 16 || !Utf8Formatter.TryFormat(new Guid(_block.Slice(_at, 16), bigEndian: true), _uuidText, out _, 'D'))
                {
                    return Fail();
                }

                _at += 16;
                fields.RequestId = _uuidText;
            }
            else if (idForm != TextId || !TryText(out var idStart, out var idLength))
            {
                return Fail();
            }
            else
            {
                fields.RequestId = _block.Slice(idStart, idLength);
            }

            if (!TryZigzag(out var attempt) || !TryZigzag(out var delta) || !TryDouble(out fields.DurationMs) || !TryZigzag(out fields.BilledMs)
                || !TryByte(out var initForm))
            {
                return Fail();
            }

            fields.Attempt = (int)attempt;
            _ticks += delta;
            if (_ticks < DateTimeOffset.MinValue.UtcTicks || _ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return Fail();
            }

            fields.StartedAt = new DateTimeOffset(_ticks, TimeSpan.Zero);
            switch (initForm)
            {
                case InitNone:
                    fields.InitDurationMs = -1;
                    break;
                case InitZero:
                    fields.InitDurationMs = 0;
                    break;
                case InitValue when TryDouble(out fields.InitDurationMs):
                    break;
                default:
                    return Fail();
            }

            if (!TryZigzag(out var memory) || !TryZigzag(out fields.MaxMemoryUsedMb) || !TryZigzag(out fields.CpuMicros))
            {
                return Fail();
            }

            fields.MemorySizeMb = (int)memory;
            var length = UsageRecordCodec.Encode(fields, _scratch);
            if (length < 0)
            {
                return Fail();
            }

            encoded = _scratch.AsSpan(0, length);
            return true;
        }

        private readonly ReadOnlySpan<byte> Shape(int index) => _block.Slice(_shapes[index].Start, _shapes[index].Length);

        private bool Fail()
        {
            _remaining = 0;
            return false;
        }

        private bool TryByte(out byte value)
        {
            value = 0;
            if (_at >= _block.Length)
            {
                return false;
            }

            value = _block[_at++];
            return true;
        }

        private bool TryVarint(out ulong value)
        {
            value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (!TryByte(out var b))
                {
                    return false;
                }

                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return true;
                }
            }

            return false;
        }

        private bool TryZigzag(out long value)
        {
            value = 0;
            if (!TryVarint(out var raw))
            {
                return false;
            }

            value = (long)(raw >> 1) ^ -(long)(raw & 1);
            return true;
        }

        private bool TryDouble(out double value)
        {
            value = 0;
            if (_block.Length - _at < 8)
            {
                return false;
            }

            value = BinaryPrimitives.ReadDoubleLittleEndian(_block[_at..]);
            _at += 8;
            return true;
        }

        private bool TryText(out int start, out int length)
        {
            start = length = 0;
            if (!TryVarint(out var count) || count > (ulong)(_block.Length - _at))
            {
                return false;
            }

            start = _at;
            length = (int)count;
            _at += length;
            return true;
        }
    }
}
