using System.IO.Compression;
using Stratus.Api;

namespace Stratus.Functions;

/// <summary>
/// Unpacks an uploaded zip into a code directory without trusting it: no entry may land outside the
/// directory, symbolic links must point inside it, and the real (not declared) sizes are bounded.
/// </summary>
internal static class ZipUnpacker
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;
    private const int UnixDirectory = 0x4000;

    public static void Unpack(Stream zip, string destination, long maxUnzippedBytes = FunctionLimits.MaxUnzippedBytes, int maxEntries = FunctionLimits.MaxZipEntries)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            throw InvalidZip();
        }

        using (archive)
        {
            if (archive.Entries.Count > maxEntries)
            {
                throw LambdaException.InvalidParameter($"The zip file has more than {maxEntries} entries.");
            }

            var root = Path.GetFullPath(destination);
            var rootWithSeparator = root.EndsWith('/') ? root : root + "/";
            Directory.CreateDirectory(root);
            long total = 0;
            foreach (var entry in archive.Entries)
            {
                var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
                if (!target.StartsWith(rootWithSeparator, StringComparison.Ordinal) && target != root)
                {
                    throw LambdaException.InvalidParameter($"The zip entry '{entry.FullName}' points outside the code directory.");
                }

                var mode = (entry.ExternalAttributes >> 16) & 0xFFFF;
                var type = mode & UnixFileTypeMask;
                if (entry.FullName.EndsWith('/') || type == UnixDirectory)
                {
                    Directory.CreateDirectory(target);
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (type == UnixSymlink)
                {
                    total += UnpackLink(entry, target, rootWithSeparator);
                }
                else
                {
                    total += UnpackFile(entry, target, maxUnzippedBytes - total);
                    // Keep the owner's execute bit (a `bootstrap` needs it); never setuid/setgid/sticky.
                    var permissions = (mode & 0x1FF) != 0 ? (UnixFileMode)(mode & 0x1FF) | UnixFileMode.UserRead : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
                    File.SetUnixFileMode(target, permissions);
                }

                if (total > maxUnzippedBytes)
                {
                    throw UnzippedTooLarge(maxUnzippedBytes);
                }
            }
        }
    }

    private static long UnpackFile(ZipArchiveEntry entry, string target, long budget)
    {
        try
        {
            using var input = entry.Open();
            using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None);
            var buffer = new byte[81920];
            long written = 0;
            int read;
            while ((read = input.Read(buffer)) > 0)
            {
                written += read;
                if (written > budget)
                {
                    throw UnzippedTooLarge(FunctionLimits.MaxUnzippedBytes);
                }

                output.Write(buffer, 0, read);
            }

            return written;
        }
        catch (InvalidDataException)
        {
            throw InvalidZip();
        }
    }

    private static long UnpackLink(ZipArchiveEntry entry, string target, string rootWithSeparator)
    {
        using var reader = new StreamReader(entry.Open());
        var linkTarget = reader.ReadToEnd();
        var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(target)!, linkTarget));
        if (linkTarget.Length == 0 || Path.IsPathRooted(linkTarget) || !resolved.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            throw LambdaException.InvalidParameter($"The zip entry '{entry.FullName}' is a link that points outside the code directory.");
        }

        File.CreateSymbolicLink(target, linkTarget);
        return linkTarget.Length;
    }

    private static LambdaException InvalidZip() =>
        LambdaException.InvalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.");

    private static LambdaException UnzippedTooLarge(long limit) =>
        LambdaException.InvalidParameter($"Unzipped size must be smaller than {limit} bytes");
}
