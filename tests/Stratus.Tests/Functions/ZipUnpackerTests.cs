using System.IO.Compression;
using Stratus.Api;
using Stratus.Functions;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Functions;

public sealed class ZipUnpackerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("stratus-unzip-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Unpack_KeepsNestedFilesAndExecuteBits()
    {
        var zip = Zips.Create(("bootstrap", "#!/bin/sh\n", (UnixFileMode?)(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)), ("lib/a/b.txt", "deep", null));
        var target = Path.Combine(_root, "code");

        ZipUnpacker.Unpack(new MemoryStream(zip), target);

        Assert.Equal("deep", File.ReadAllText(Path.Combine(target, "lib/a/b.txt")));
        Assert.True(File.GetUnixFileMode(Path.Combine(target, "bootstrap")).HasFlag(UnixFileMode.UserExecute));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/escape.txt")]
    public void Unpack_EntryOutsideTheDirectory_IsRejectedAndWritesNothingOutside(string name)
    {
        var zip = Zips.Create((name, "x"));
        var target = Path.Combine(_root, "code");

        var error = Assert.Throws<LambdaException>(() => ZipUnpacker.Unpack(new MemoryStream(zip), target));

        Assert.Equal("InvalidParameterValueException", error.ErrorType);
        Assert.False(File.Exists(Path.Combine(_root, "escape.txt")));
        Assert.False(File.Exists("/etc/escape.txt"));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../outside")]
    public void Unpack_SymlinkPointingOutside_IsRejected(string linkTarget)
    {
        var zip = ZipWithSymlink("link", linkTarget);

        var error = Assert.Throws<LambdaException>(() => ZipUnpacker.Unpack(new MemoryStream(zip), Path.Combine(_root, "code")));

        Assert.Contains("outside the code directory", error.Message);
    }

    [Fact]
    public void Unpack_SymlinkInside_IsKept()
    {
        var target = Path.Combine(_root, "code");
        var zip = ZipWithSymlink("link.js", "real.js", ("real.js", "ok"));

        ZipUnpacker.Unpack(new MemoryStream(zip), target);

        Assert.Equal("ok", File.ReadAllText(Path.Combine(target, "link.js")));
    }

    [Fact]
    public void Unpack_MoreThanTheUnzippedLimit_IsRejectedByRealSize()
    {
        // Highly compressible: small zip, large content. The limit is checked on bytes written.
        var zip = Zips.Create(("big.txt", new string('0', 200_000)));

        var error = Assert.Throws<LambdaException>(() => ZipUnpacker.Unpack(new MemoryStream(zip), Path.Combine(_root, "code"), maxUnzippedBytes: 100_000));

        Assert.Contains("Unzipped size must be smaller than", error.Message);
    }

    [Fact]
    public void Unpack_TooManyEntries_IsRejected()
    {
        var zip = Zips.Create(Enumerable.Range(0, 11).Select(i => ($"f{i}", "x")).ToArray());

        Assert.Throws<LambdaException>(() => ZipUnpacker.Unpack(new MemoryStream(zip), Path.Combine(_root, "code"), maxEntries: 10));
    }

    [Fact]
    public void Unpack_NotAZip_IsRejected()
    {
        var error = Assert.Throws<LambdaException>(() => ZipUnpacker.Unpack(new MemoryStream("not a zip"u8.ToArray()), Path.Combine(_root, "code")));

        Assert.Contains("Could not unzip", error.Message);
    }

    private static byte[] ZipWithSymlink(string name, string target, params (string Path, string Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                using var writer = new StreamWriter(archive.CreateEntry(path).Open());
                writer.Write(content);
            }

            var link = archive.CreateEntry(name);
            link.ExternalAttributes = unchecked((int)((0xA000u | 0x1FFu) << 16));
            using var linkWriter = new StreamWriter(link.Open());
            linkWriter.Write(target);
        }

        return buffer.ToArray();
    }
}
