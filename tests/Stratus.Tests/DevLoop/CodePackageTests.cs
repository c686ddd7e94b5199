using System.IO.Compression;
using Stratus.Cli.DevLoop;
using Stratus.Cli.Manifests;

namespace Stratus.Tests.DevLoop;

/// <summary>The zip apply uploads and the changes dev reacts to: same code, same hash; tools' files are not code.</summary>
public sealed class CodePackageTests : IDisposable
{
    private readonly string _code = Directory.CreateTempSubdirectory("stratus-package-").FullName;

    public void Dispose() => Directory.Delete(_code, recursive: true);

    [Fact]
    public void FromDirectory_SameFilesSavedAgain_SameSha256()
    {
        File.WriteAllText(Path.Combine(_code, "index.js"), "exports.handler = async () => 1;");
        Directory.CreateDirectory(Path.Combine(_code, "lib"));
        File.WriteAllText(Path.Combine(_code, "lib", "util.js"), "module.exports = 2;");

        var first = CodePackage.FromDirectory(_code);
        File.SetLastWriteTimeUtc(Path.Combine(_code, "index.js"), DateTime.UtcNow.AddHours(1));
        var touched = CodePackage.FromDirectory(_code);
        File.WriteAllText(Path.Combine(_code, "index.js"), "exports.handler = async () => 3;");
        var edited = CodePackage.FromDirectory(_code);

        Assert.Equal(first.Sha256, touched.Sha256);
        Assert.NotEqual(first.Sha256, edited.Sha256);
    }

    [Fact]
    public void FromDirectory_ExecutableAndPycache_ModeKeptCacheLeftOut()
    {
        var bootstrap = Path.Combine(_code, "bootstrap");
        File.WriteAllText(bootstrap, "#!/bin/sh\n");
        File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(_code, "__pycache__"));
        File.WriteAllText(Path.Combine(_code, "__pycache__", "app.cpython-311.pyc"), "cache");
        File.WriteAllText(Path.Combine(_code, "app.py"), "def handler(e, c): return 1\n");

        using var zip = new ZipArchive(new MemoryStream(CodePackage.FromDirectory(_code).Zip));

        Assert.Equal(["app.py", "bootstrap"], zip.Entries.Select(e => e.FullName));
        Assert.Equal(UnixFileMode.UserExecute, (UnixFileMode)(zip.GetEntry("bootstrap")!.ExternalAttributes >> 16) & UnixFileMode.UserExecute);
    }

    [Theory]
    [InlineData("src/index.js", false)]
    [InlineData("stratus.yaml", false)]
    [InlineData("src/__pycache__/app.cpython-311.pyc", true)]
    [InlineData(".git/index", true)]
    [InlineData("out/app.dll", true)]
    [InlineData("notes.txt", false)]
    public void ChangeWatcher_PathInProject_CountsUnlessToolsWroteIt(string relative, bool ignored)
    {
        using var watcher = new ChangeWatcher(_code, [Path.Combine(_code, "out")], TimeProvider.System);

        Assert.Equal(ignored, watcher.Ignored(Path.Combine(_code, relative)));
    }

    [Fact]
    public void Parse_MoreEntriesThanTheBound_IsAnErrorNamingTheKey()
    {
        var schedules = string.Join("\n", Enumerable.Range(0, 1001).Select(i => $"      s{i}: rate(1 day)"));
        var manifest = $"functions:\n  f:\n    runtime: nodejs20.x\n    handler: index.handler\n    code: .\n    schedules:\n{schedules}\n";

        var error = Assert.Throws<ManifestException>(() => ManifestReader.Parse(Path.Combine(_code, "stratus.yaml"), manifest));

        Assert.Equal("stratus.yaml line 7: functions.f.schedules: has 1001 entries; at most 1000.", error.Message);
    }
}
