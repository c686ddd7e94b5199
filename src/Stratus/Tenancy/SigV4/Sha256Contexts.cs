using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Stratus.Tenancy.SigV4;

/// <summary>
/// SHA-256 and HMAC-SHA256 for the signature check, through the system OpenSSL's plain
/// <c>SHA256_Init/Update/Final</c> when it exports them, and through .NET's hashing otherwise.
/// Every request needs three small hashes; through .NET's objects each pays OpenSSL's general digest
/// and MAC machinery (error-queue clearing, provider contexts, a free on every reset), which costs
/// more than the hashing itself. A SHA-256 context is a plain struct, so an HMAC key is kept as the
/// two contexts that have absorbed its padded key, and each MAC starts from copies of them.
/// </summary>
internal static unsafe class Sha256Contexts
{
    // OpenSSL's SHA256_CTX is 112 bytes (eight state words, two length words, a 64-byte block, two
    // counts); room is kept for more.
    private const int ContextBytes = 128;
    private const int BlockBytes = 64;

    // Inputs up to this long are hashed without the runtime's switch out of managed code around the
    // call (a few hundred nanoseconds of hashing at most, during which a garbage collection waits);
    // longer ones, a request body of megabytes, with it.
    private const int ShortInput = 4096;

    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, int> s_init;
    private static readonly delegate* unmanaged<byte*, byte*, nuint, int> s_update;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int> s_updateShort;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int> s_final;

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    static Sha256Contexts()
    {
        foreach (var name in (ReadOnlySpan<string>)["libcrypto.so.3", "libcrypto.so.1.1"])
        {
            if (NativeLibrary.TryLoad(name, out var library)
                && NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
                && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
                && NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
            {
                s_init = (delegate* unmanaged[SuppressGCTransition]<byte*, int>)init;
                s_update = (delegate* unmanaged<byte*, byte*, nuint, int>)update;
                s_updateShort = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int>)update;
                s_final = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, int>)final;
                IsNative = true;
                return;
            }
        }
    }

    /// <summary>Whether OpenSSL's own SHA-256 functions are used (else .NET's hashing).</summary>
    public static bool IsNative { get; }

    /// <summary>SHA-256 of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    [SkipLocalsInit]
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (!IsNative)
        {
            var hash = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(data);
            hash.GetHashAndReset(destination);
            return;
        }

        var context = stackalloc byte[ContextBytes];
        s_init(context);
        Finish(context, data, destination);
    }

    /// <summary>An HMAC-SHA256 key, ready for <see cref="Mac"/>.</summary>
    public static MacKey CreateMacKey(ReadOnlySpan<byte> key) => new(key);

    /// <summary>HMAC-SHA256 of <paramref name="data"/> under <paramref name="key"/> into <paramref name="destination"/> (32 bytes).</summary>
    [SkipLocalsInit]
    public static void Mac(MacKey key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (!IsNative)
        {
            HMACSHA256.HashData(key.Key, data, destination);
            return;
        }

        var context = stackalloc byte[ContextBytes];
        Span<byte> inner = stackalloc byte[32];
        key.Inner.CopyTo(new Span<byte>(context, ContextBytes));
        Finish(context, data, inner);
        key.Outer.CopyTo(new Span<byte>(context, ContextBytes));
        Finish(context, inner, destination);
    }

    private static void Finish(byte* context, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        fixed (byte* bytes = data)
        fixed (byte* digest = destination)
        {
            if (data.Length <= ShortInput)
            {
                s_updateShort(context, bytes, (nuint)data.Length);
            }
            else
            {
                s_update(context, bytes, (nuint)data.Length);
            }

            s_final(digest, context);
        }
    }

    /// <summary>
    /// A MAC key as the SHA-256 contexts that have absorbed it padded with 0x36 and 0x5c (RFC 2104);
    /// held in memory as the signing keys themselves are.
    /// </summary>
    internal sealed class MacKey
    {
        public MacKey(ReadOnlySpan<byte> key)
        {
            if (key.Length > BlockBytes)
            {
                throw new ArgumentException("An HMAC key longer than a block is hashed first; signing keys are 32 bytes.", nameof(key));
            }

            if (!IsNative)
            {
                Key = key.ToArray();
                return;
            }

            Span<byte> padded = stackalloc byte[BlockBytes];
            Inner = Absorb(key, 0x36, padded);
            Outer = Absorb(key, 0x5c, padded);
            CryptographicOperations.ZeroMemory(padded);
        }

        /// <summary>The key itself, kept only where .NET's HMAC does the work (OpenSSL's functions missing).</summary>
        public byte[] Key { get; } = [];

        public byte[] Inner { get; } = [];

        public byte[] Outer { get; } = [];

        private static byte[] Absorb(ReadOnlySpan<byte> key, byte pad, Span<byte> padded)
        {
            padded.Fill(pad);
            for (var i = 0; i < key.Length; i++)
            {
                padded[i] ^= key[i];
            }

            var state = new byte[ContextBytes];
            fixed (byte* context = state)
            fixed (byte* bytes = padded)
            {
                s_init(context);
                s_update(context, bytes, BlockBytes);
            }

            return state;
        }
    }
}
