using System.IO.Compression;
using System.Security.Cryptography;

namespace Stratus.Cli.Manifests;

/// <summary>
/// A code directory zipped the same way every time (sorted entries, fixed timestamps, file modes kept),
/// so unchanged code has an unchanged hash: <c>apply</c> compares it with the function's CodeSha256 and
/// uploads nothing when they match.
/// </summary>
internal sealed class CodePackage
{
    /// <summary>Lambda's limit on unzipped code; a directory bigger than that cannot be deployed anyway.</summary>
    public const long MaxUnzippedBytes = 250L * 1024 * 1024;

    // Byte-code caches that running tests leaves beside the sources: not code, and they would change the hash.
    private static readonly string[] Skipped = ["__pycache__", ".git"];

    private static readonly DateTimeOffset Epoch = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private CodePackage(byte[] zip)
    {
        Zip = zip;
        Sha256 = Convert.ToBase64String(SHA256.HashData(zip));
    }

    public byte[] Zip { get; }

    /// <summary>Base64 SHA-256 of the zip, as Lambda reports CodeSha256.</summary>
    public string Sha256 { get; }

    public static CodePackage FromDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ManifestException($"Code directory {directory} does not exist.");
        }

        var files = new List<(string Relative, string Full)>();
        Collect(directory, directory, files);
        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));

        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            long total = 0;
            foreach (var (relative, full) in files)
            {
                total += new FileInfo(full).Length;
                if (total > MaxUnzippedBytes)
                {
                    throw new ManifestException($"{directory} holds more than {MaxUnzippedBytes / 1024 / 1024} MB: too big for a function's code.");
                }

                var entry = archive.CreateEntry(relative, CompressionLevel.Fastest);
                entry.LastWriteTime = Epoch;
                entry.ExternalAttributes = (int)File.GetUnixFileMode(full) << 16;
                using var target = entry.Open();
                using var source = File.OpenRead(full);
                source.CopyTo(target);
            }
        }

        return new CodePackage(buffer.ToArray());
    }

    private static void Collect(string root, string directory, List<(string, string)> files)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            files.Add((Path.GetRelativePath(root, file).Replace('\\', '/'), file));
        }

        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            // A linked directory could lead back up the tree: its files are not walked into the zip.
            if (Array.IndexOf(Skipped, Path.GetFileName(child)) < 0 && new DirectoryInfo(child).LinkTarget is null)
            {
                Collect(root, child, files);
            }
        }
    }
}
