using System.IO.Compression;

namespace Stratus.Tests.Infrastructure;

/// <summary>Builds function zips in memory from (path, content) pairs.</summary>
public static class Zips
{
    /// <summary>rwxr-xr-x, for a <c>bootstrap</c>.</summary>
    public const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static byte[] Create(params (string Path, string Content)[] files) =>
        Create(files.Select(f => (f.Path, f.Content, (UnixFileMode?)null)).ToArray());

    public static byte[] Create(params (string Path, string Content, UnixFileMode? Mode)[] files)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content, mode) in files)
            {
                var entry = archive.CreateEntry(path);
                if (mode is { } unix)
                {
                    entry.ExternalAttributes = (int)(((uint)unix | 0x8000u) << 16);
                }

                using var writer = new StreamWriter(entry.Open());
                writer.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>A Node.js function answering its event back: <c>index.handler</c>.</summary>
    public static byte[] NodeEcho() => Create(("index.js", "exports.handler = async (event) => ({ echo: event });"));
}
