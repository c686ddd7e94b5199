namespace Stratus.Invocation;

/// <summary>
/// Request ids: UUIDs, as Lambda's, but of version 7 (RFC 9562), whose text begins with the time they
/// were made in milliseconds. Ids made later sort later, so the log store's index by request id grows
/// at its end; random (version 4) ids put every new record on a different page of that index, which
/// cost about as much as storing the rest of the record. The 12 bits after the version count within a
/// millisecond (RFC 9562's first method), so ids of this process are strictly increasing. The random
/// bits make ids unique, not secret (nothing is guarded by knowing one), so they come from the
/// process's fast generator: the cryptographic one went through OpenSSL and a getpid() system call
/// on every invocation.
/// </summary>
public static class RequestIds
{
    // Milliseconds since 1970 shifted left by 12, plus the count within that millisecond.
    private static long _last;

    public static string New()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 12;
        long last, next;
        do
        {
            last = Volatile.Read(ref _last);
            // More than 4096 in one millisecond (or a clock stepping back) borrows from the next one.
            next = Math.Max(now, last + 1);
        }
        while (Interlocked.CompareExchange(ref _last, next, last) != last);

        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[8..]);
        var milliseconds = next >> 12;
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)milliseconds;
            milliseconds >>= 8;
        }

        bytes[6] = (byte)(0x70 | ((next >> 8) & 0x0F));
        bytes[7] = (byte)next;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
