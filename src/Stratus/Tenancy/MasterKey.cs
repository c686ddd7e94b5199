using System.Security.Cryptography;

namespace Stratus.Tenancy;

/// <summary>The 32-byte key that seals access key secrets: from configuration, else <c>&lt;data&gt;/master.key</c>.</summary>
internal static class MasterKey
{
    public const string FileName = "master.key";
    public const string EnvironmentVariable = "STRATUS_MASTER_KEY";
    private const int Size = 32;

    /// <summary>The configured key's bytes, or null with a message saying what is wrong (never the value itself).</summary>
    public static byte[]? TryParse(string configured, out string problem)
    {
        problem = "";
        var buffer = new byte[Size + 3];
        if (Convert.TryFromBase64String(configured.Trim(), buffer, out var written) && written == Size)
        {
            return buffer[..Size];
        }

        problem = $"{EnvironmentVariable} must be {Size} bytes in base64 (make one with: openssl rand -base64 32)";
        return null;
    }

    /// <summary>
    /// Loads the key. A missing key file is created (0600) only while nothing is sealed yet: with
    /// secrets stored, a new key could open none of them, so start-up stops and says so.
    /// </summary>
    public static byte[] Load(string? configured, string dataDirectory, bool secretsExist)
    {
        if (configured is not null)
        {
            return TryParse(configured, out var problem) ?? throw new TenancyStartupException(problem);
        }

        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return TryParse(File.ReadAllText(path), out _)
                ?? throw new TenancyStartupException($"{path} is not a master key ({Size} bytes in base64): restore it from a backup, or set {EnvironmentVariable}");
        }

        if (secretsExist)
        {
            throw new TenancyStartupException($"The master key is missing: access key secrets are stored in {dataDirectory} but {path} does not exist and {EnvironmentVariable} is not set. Restore the key file or set the variable to the key they were stored with.");
        }

        var key = RandomNumberGenerator.GetBytes(Size);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var file = new StreamWriter(path, options))
        {
            file.WriteLine(Convert.ToBase64String(key));
        }

        return key;
    }
}

/// <summary>Start-up cannot go on (wrong or missing master key, bad root key); the message says what to do.</summary>
public sealed class TenancyStartupException(string message) : Exception(message);
