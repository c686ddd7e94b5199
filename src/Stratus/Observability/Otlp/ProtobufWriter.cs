using System.Buffers.Binary;
using System.Text;

namespace Stratus.Observability.Otlp;

/// <summary>
/// Protocol Buffers' wire format into one growing buffer, kept between exports. A nested message is
/// written where it goes with room for the longest length prefix, then moved back over the room it
/// did not need (<see cref="BeginMessage"/>, <see cref="EndMessage"/>), so nothing is sized twice.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int LengthRoom = 5; // a 32-bit length as a varint
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLength = 2;
    private const int WireFixed32 = 5;

    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    public int Length => _length;

    public ArraySegment<byte> Written => new(_buffer, 0, _length);

    public void Reset(int reserved = 0)
    {
        _length = 0;
        Room(reserved);
        _length = reserved;
    }

    /// <summary>Bytes before the first field (a gRPC frame's prefix), written last.</summary>
    public Span<byte> Start(int count) => _buffer.AsSpan(0, count);

    public void Varint(int field, ulong value)
    {
        Tag(field, WireVarint);
        RawVarint(value);
    }

    public void Bool(int field, bool value) => Varint(field, value ? 1UL : 0UL);

    public void Fixed64(int field, ulong value)
    {
        Tag(field, WireFixed64);
        Room(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void Fixed32(int field, uint value)
    {
        Tag(field, WireFixed32);
        Room(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void String(int field, ReadOnlySpan<char> value)
    {
        Tag(field, WireLength);
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max < 128)
        {
            // One length byte: write the text after it and fill it in.
            Room(1 + max);
            var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 1));
            _buffer[_length] = (byte)written;
            _length += 1 + written;
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        RawVarint((ulong)count);
        Room(count);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireLength);
        RawVarint((ulong)value.Length);
        Room(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>Starts a nested message; returns what <see cref="EndMessage"/> needs.</summary>
    public int BeginMessage(int field)
    {
        Tag(field, WireLength);
        Room(LengthRoom);
        _length += LengthRoom;
        return _length;
    }

    public void EndMessage(int start)
    {
        var size = _length - start;
        Span<byte> prefix = stackalloc byte[LengthRoom];
        var used = 0;
        var value = (uint)size;
        while (value >= 0x80)
        {
            prefix[used++] = (byte)(value | 0x80);
            value >>= 7;
        }

        prefix[used++] = (byte)value;
        var at = start - LengthRoom;
        prefix[..used].CopyTo(_buffer.AsSpan(at));
        if (used < LengthRoom)
        {
            _buffer.AsSpan(start, size).CopyTo(_buffer.AsSpan(at + used));
            _length -= LengthRoom - used;
        }
    }

    private void Tag(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    private void RawVarint(ulong value)
    {
        Room(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    private void Room(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
    }
}
