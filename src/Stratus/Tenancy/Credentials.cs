using System.Buffers;
using System.Security.Cryptography;

namespace Stratus.Tenancy;

/// <summary>Ids and secrets in AWS's shapes, drawn from the operating system's CSPRNG.</summary>
internal static class Credentials
{
    public const int SecretLength = 40;
    public const string KeyPrefix = "AKIA";
    private const string KeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static readonly SearchValues<char> KeyChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    private static readonly SearchValues<char> SecretChars = SearchValues.Create(SecretAlphabet);

    /// <summary>20 characters, "AKIA" then 16 base32 characters, like AWS's long-term keys.</summary>
    public static string NewAccessKeyId() => KeyPrefix + RandomNumberGenerator.GetString(KeyAlphabet, 16);

    public static string NewSecret() => RandomNumberGenerator.GetString(SecretAlphabet, SecretLength);

    /// <summary>12 digits, not starting with 0 so that it never looks like the default 000000000000.</summary>
    public static string NewAccountId() =>
        RandomNumberGenerator.GetString("123456789", 1) + RandomNumberGenerator.GetString("0123456789", 11);

    public static bool IsAccessKeyId(string? value) =>
        value is { Length: >= 16 and <= 128 } && !value.AsSpan().ContainsAnyExcept(KeyChars);

    public static bool IsSecret(string? value) =>
        value is { Length: SecretLength } && !value.AsSpan().ContainsAnyExcept(SecretChars);

    public static bool IsAccountId(string? value) =>
        value is { Length: 12 } && value.All(char.IsAsciiDigit);
}
