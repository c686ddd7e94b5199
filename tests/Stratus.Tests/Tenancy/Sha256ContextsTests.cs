using System.Security.Cryptography;
using Stratus.Tenancy.SigV4;

namespace Stratus.Tests.Tenancy;

/// <summary>The signature check's own SHA-256 and HMAC give what .NET's do, across block boundaries.</summary>
public sealed class Sha256ContextsTests
{
    public static TheoryData<int> Lengths => [0, 1, 2, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70_000];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Hash_AnyLength_SameAsSha256(int length)
    {
        var data = Data(length, seed: length);
        var hash = new byte[32];

        Sha256Contexts.Hash(data, hash);

        Assert.Equal(SHA256.HashData(data), hash);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Mac_AnyMessage_SameAsHmacSha256(int length)
    {
        var message = Data(length, seed: 7);
        foreach (var keyLength in new[] { 0, 1, 32, 63, 64 })
        {
            var key = Data(keyLength, seed: keyLength + 1);
            var mac = new byte[32];

            // Twice with one key: each MAC starts from the key's contexts, untouched by the last one.
            Sha256Contexts.Mac(Sha256Contexts.CreateMacKey(key), message, mac);
            var macKey = Sha256Contexts.CreateMacKey(key);
            Sha256Contexts.Mac(macKey, Data(3, seed: 9), new byte[32]);
            var again = new byte[32];
            Sha256Contexts.Mac(macKey, message, again);

            var expected = HMACSHA256.HashData(key, message);
            Assert.Equal(expected, mac);
            Assert.Equal(expected, again);
        }
    }

    [Fact]
    public void CreateMacKey_LongerThanABlock_Refused()
    {
        Assert.Throws<ArgumentException>(() => Sha256Contexts.CreateMacKey(new byte[65]));
    }

    [Fact]
    public void IsNative_OnLinux_UsesOpenSslsOwnFunctions()
    {
        // .NET hashes through the system's OpenSSL on Linux, so it is there to be used directly.
        Assert.True(Sha256Contexts.IsNative);
    }

    private static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
