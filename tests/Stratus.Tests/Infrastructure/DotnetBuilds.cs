using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;

namespace Stratus.Tests.Infrastructure;

/// <summary>
/// Publishes the C# functions in tests/functions/dotnet with the real <c>dotnet publish</c>, once per
/// test run and project (builds are the slow part), and zips the output as a user would deploy it.
/// </summary>
public static class DotnetBuilds
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> Zips = new(StringComparer.Ordinal);

    /// <summary>The repository's tests/functions/dotnet directory.</summary>
    public static string Sources { get; } = FindSources();

    /// <summary>Where this test run built Stratus.Runtime: one directory per target framework.</summary>
    public static string RuntimeLibraries { get; } =
        Path.GetFullPath(Path.Combine(Sources, "..", "..", "..", "src", "Stratus.Runtime", "bin", "Release")) + "/";

    /// <summary>The zip of <paramref name="project"/> published framework-dependent (or NativeAOT when the project says so).</summary>
    public static Task<byte[]> PublishAsync(string project, string framework = "net10.0") =>
        Zips.GetOrAdd($"{project}|{framework}", key => new Lazy<Task<byte[]>>(() => Task.Run(() => Publish(project, framework)))).Value;

    private static async Task<byte[]> Publish(string project, string framework)
    {
        var work = Path.Combine(Path.GetTempPath(), "stratus-dotnet-builds", Guid.NewGuid().ToString("N"));
        DirectoryCopy.Copy(Path.Combine(Sources, project), Path.Combine(work, project), relative => relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal));
        var output = Path.Combine(work, "out");
        await RunAsync(Path.Combine(work, project), "dotnet", "publish", "-c", "Release", "-f", framework, "-o", output, "--nologo",
            $"-p:StratusRuntimeDirectory={RuntimeLibraries}");
        var zip = ZipDirectory(output);
        Directory.Delete(work, recursive: true);
        return zip;
    }

    /// <summary>Runs a program to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string directory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The test run's own MSBuild settings must not leak into a nested build.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "VSTEST_HOST_DEBUG" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{text}");
        }

        return text;
    }

    /// <summary>Zips a directory, keeping each file's Unix mode (a bootstrap stays executable).</summary>
    public static byte[] ZipDirectory(string directory)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                var entry = archive.CreateEntryFromFile(file, Path.GetRelativePath(directory, file));
                entry.ExternalAttributes = (int)(((uint)File.GetUnixFileMode(file) | 0x8000u) << 16);
            }
        }

        return buffer.ToArray();
    }

    private static string FindSources()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "functions", "dotnet");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/functions/dotnet not found above " + AppContext.BaseDirectory);
    }
}
