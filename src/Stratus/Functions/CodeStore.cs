using System.Security.Cryptography;
using Stratus.Api;

namespace Stratus.Functions;

/// <summary>
/// Keeps each uploaded zip and its unpacked tree under <c>code/&lt;sha256-hex&gt;</c>. Content
/// addressed, so identical uploads share one copy and a directory never changes once written.
/// </summary>
internal sealed class CodeStore
{
    private readonly string _root;

    /// <summary>The directory holding every code directory.</summary>
    public string Root => _root;

    public CodeStore(string dataDirectory)
    {
        _root = Path.Combine(dataDirectory, "code");
        Directory.CreateDirectory(_root);
    }

    public sealed record StoredCode(string Sha256Base64, string Sha256Hex, long Size);

    public StoredCode Store(byte[] zip)
    {
        if (zip.LongLength > FunctionLimits.MaxZipBytes)
        {
            throw new LambdaException(413, "RequestEntityTooLargeException", $"Zipped size must be smaller than {FunctionLimits.MaxZipBytes} bytes");
        }

        var hash = SHA256.HashData(zip);
        var hex = Convert.ToHexStringLower(hash);
        var directory = CodeDirectory(hex);
        if (!Directory.Exists(directory))
        {
            // Unpack beside the final place, then rename: a crash never leaves a half-written tree.
            var staging = Path.Combine(_root, $".staging-{hex}-{Guid.NewGuid():N}");
            try
            {
                using (var stream = new MemoryStream(zip, writable: false))
                {
                    ZipUnpacker.Unpack(stream, staging);
                }

                File.WriteAllBytes(Path.Combine(_root, hex + ".zip"), zip);
                try
                {
                    Directory.Move(staging, directory);
                }
                catch (IOException) when (Directory.Exists(directory))
                {
                    // Another upload of the same zip won the race; its tree is identical.
                }
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
        }

        return new StoredCode(Convert.ToBase64String(hash), hex, zip.LongLength);
    }

    public string CodeDirectory(string sha256Hex) => Path.Combine(_root, sha256Hex);

    public string ZipPath(string sha256Hex) => Path.Combine(_root, sha256Hex + ".zip");

    public static string HexFromBase64(string sha256Base64) => Convert.ToHexStringLower(Convert.FromBase64String(sha256Base64));

    /// <summary>Removes code no function refers to any more.</summary>
    public void DeleteUnreferenced(string sha256Hex)
    {
        var directory = CodeDirectory(sha256Hex);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        File.Delete(ZipPath(sha256Hex));
    }
}
