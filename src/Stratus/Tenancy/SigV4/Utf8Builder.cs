using System.Text;

namespace Stratus.Tenancy.SigV4;

/// <summary>
/// Text written straight into UTF-8, as the signature hashes it: building the canonical request as
/// chars and then transcoding it cost as much as hashing it. Grows as needed; callers keep one per
/// thread and clear it between uses.
/// </summary>
internal sealed class Utf8Builder
{
    private byte[] _bytes;
    private int _length;

    public Utf8Builder(int capacity = 1024) => _bytes = new byte[capacity];

    /// <summary>The bytes written so far, valid until the next write.</summary>
    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

    public Utf8Builder Clear()
    {
        _length = 0;
        return this;
    }

    /// <summary>Appends one ASCII character (every separator and escape the canonical forms write).</summary>
    public Utf8Builder Append(byte ascii)
    {
        if (_length == _bytes.Length)
        {
            Grow(1);
        }

        _bytes[_length++] = ascii;
        return this;
    }

    /// <summary>
    /// Appends text as UTF-8. A lone surrogate becomes U+FFFD, as encoding a whole string does; callers
    /// never split a surrogate pair across two appends.
    /// </summary>
    public Utf8Builder Append(ReadOnlySpan<char> text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_bytes.Length - _length < most)
        {
            Grow(most);
        }

        _length += Encoding.UTF8.GetBytes(text, _bytes.AsSpan(_length));
        return this;
    }

    /// <summary>Appends bytes that are UTF-8 already.</summary>
    public Utf8Builder Append(ReadOnlySpan<byte> utf8)
    {
        if (_bytes.Length - _length < utf8.Length)
        {
            Grow(utf8.Length);
        }

        utf8.CopyTo(_bytes.AsSpan(_length));
        _length += utf8.Length;
        return this;
    }

    /// <summary>Appends bytes as lowercase hexadecimal.</summary>
    public Utf8Builder AppendHex(ReadOnlySpan<byte> bytes)
    {
        if (_bytes.Length - _length < bytes.Length * 2)
        {
            Grow(bytes.Length * 2);
        }

        Convert.TryToHexStringLower(bytes, _bytes.AsSpan(_length), out var written);
        _length += written;
        return this;
    }

    /// <summary>The text written so far (for tests and diagnostics).</summary>
    public override string ToString() => Encoding.UTF8.GetString(Written);

    private void Grow(int needed) => Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + needed));
}
