using System.Security.Cryptography;
using System.Text;

namespace Stratus.Tenancy;

/// <summary>
/// Seals secrets with AES-256-GCM under the master key: nonce (12) | ciphertext | tag (16). The
/// access key id is the associated data, so a sealed secret moved to another key's row fails to open.
/// </summary>
internal sealed class SecretCipher : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly AesGcm _aes;

    public SecretCipher(byte[] masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        _aes = new AesGcm(masterKey, TagSize);
    }

    public byte[] Seal(string secret, string boundTo)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedValue = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedValue.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        _aes.Encrypt(nonce, plain, sealedValue.AsSpan(NonceSize, plain.Length), sealedValue.AsSpan(NonceSize + plain.Length), Encoding.UTF8.GetBytes(boundTo));
        CryptographicOperations.ZeroMemory(plain);
        return sealedValue;
    }

    /// <summary>Opens a sealed secret; false when the master key (or the binding) is not the one it was sealed with.</summary>
    public bool TryOpen(byte[] sealedValue, string boundTo, out string secret)
    {
        secret = "";
        if (sealedValue.Length < NonceSize + TagSize)
        {
            return false;
        }

        var plain = new byte[sealedValue.Length - NonceSize - TagSize];
        try
        {
            _aes.Decrypt(sealedValue.AsSpan(0, NonceSize), sealedValue.AsSpan(NonceSize, plain.Length), sealedValue.AsSpan(NonceSize + plain.Length), plain, Encoding.UTF8.GetBytes(boundTo));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        secret = Encoding.UTF8.GetString(plain);
        CryptographicOperations.ZeroMemory(plain);
        return true;
    }

    public void Dispose() => _aes.Dispose();
}
