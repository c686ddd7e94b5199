using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Stratus.Functions;

/// <summary>
/// Download links for a function's code, like the presigned URL Lambda's GetFunction returns: anyone
/// holding the link can fetch that one zip until it expires (10 minutes), without signing. The key is
/// made at start-up and never stored, so a restart ends every link.
/// </summary>
public sealed class CodeLinks
{
    public const string Prefix = "/stratus/v1/code/";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;

    public CodeLinks(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>The path and query of a link to the zip with this SHA-256 (hex).</summary>
    public string Create(string sha256Hex)
    {
        var expires = _time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{Prefix}{sha256Hex}?Expires={expires}&Signature={Sign(sha256Hex, expires)}";
    }

    public bool IsValid(string sha256Hex, string expires, string signature)
    {
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < _time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(sha256Hex, expires)), Encoding.ASCII.GetBytes(signature));
    }

    private string Sign(string sha256Hex, string expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(sha256Hex + "\n" + expires)));
}
