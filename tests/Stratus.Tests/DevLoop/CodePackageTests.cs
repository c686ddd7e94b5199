using System.IO.Compression;
using Stratus.Cli.DevLoop;
using Stratus.Cli.Manifests;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.DevLoop;

/// <summary>The zip apply uploads and the changes dev reacts to: same code, same hash; tools' files are not code.</summary>
public sealed class CodePackageTests
{
    [Fact]
    public void FromDirectory_SameFilesSavedAgain_SameSha256()
    {
        using var directory = new TempDirectory("stratus-package-");
        var code = directory.Path;
        File.WriteAllText(Path.Combine(code, "index.js"), "exports.handler = async () => 1;");
        Directory.CreateDirectory(Path.Combine(code, "lib"));
        File.WriteAllText(Path.Combine(code, "lib", "util.js"), "module.exports = 2;");

        var first = CodePackage.FromDirectory(code);
        File.SetLastWriteTimeUtc(Path.Combine(code, "index.js"), DateTime.UtcNow.AddHours(1));
        var touched = CodePackage.FromDirectory(code);
        File.WriteAllText(Path.Combine(code, "index.js"), "exports.handler = async () => 3;");
        var edited = CodePackage.FromDirectory(code);

        Assert.Equal(first.Sha256, touched.Sha256);
        Assert.NotEqual(first.Sha256, edited.Sha256);
    }

    [Fact]
    public void FromDirectory_ExecutableAndPycache_ModeKeptCacheLeftOut()
    {
        using var directory = new TempDirectory("stratus-package-");
        var code = directory.Path;
        var bootstrap = Path.Combine(code, "bootstrap");
        File.WriteAllText(bootstrap, "#!/bin/sh\n");
        File.SetUnixFileMode(bootstrap, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(code, "__pycache__"));
        File.WriteAllText(Path.Combine(code, "__pycache__", "app.cpython-311.pyc"), "cache");
        File.WriteAllText(Path.Combine(code, "app.py"), "def handler(e, c): return 1\n");

        using var zip = new ZipArchive(new MemoryStream(CodePackage.FromDirectory(code).Zip));

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
        using var directory = new TempDirectory("stratus-watch-");
        var code = directory.Path;
        using var watcher = new ChangeWatcher([code], [Path.Combine(code, "out")], TimeProvider.System);

        Assert.Equal(ignored, watcher.Ignored(Path.Combine(code, relative)));
    }

    [Fact]
    public void Parse_MoreEntriesThanTheBound_IsAnErrorNamingTheKey()
    {
        var code = Path.GetTempPath();
        var schedules = string.Join("\n", Enumerable.Range(0, 1001).Select(i => $"      s{i}: rate(1 day)"));
        var manifest = $"functions:\n  f:\n    runtime: nodejs20.x\n    handler: index.handler\n    code: .\n    schedules:\n{schedules}\n";

        var error = Assert.Throws<ManifestException>(() => ManifestReader.Parse(Path.Combine(code, "stratus.yaml"), manifest));

        Assert.Equal("stratus.yaml line 7: functions.f.schedules: has 1001 entries; at most 1000.", error.Message);
    }
}
