using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Stratus.Cli;

/// <summary>
/// A C# function project: what <c>stratus new dotnet</c> adds to the template, and how
/// <c>stratus deploy</c> turns a project directory into a zip (framework-dependent <c>dotnet publish</c>).
/// </summary>
internal static class DotnetProject
{
    /// <summary>The project file of <paramref name="directory"/>, when it holds exactly one.</summary>
    public static string? Find(string directory) =>
        Directory.Exists(directory) && Directory.GetFiles(directory, "*.csproj") is [var project] ? project : null;

    /// <summary>Copies the Stratus.Runtime library that this Stratus ships (the one its dotnet runtimes load) into lib/.</summary>
    public static void AddRuntimeLibrary(string projectDirectory)
    {
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "dotnet", "Stratus.Runtime.dll");
        if (!File.Exists(library))
        {
            throw new UsageException($"{library} is missing: this Stratus was built without its dotnet runtime.");
        }

        Directory.CreateDirectory(Path.Combine(projectDirectory, "lib"));
        File.Copy(library, Path.Combine(projectDirectory, "lib", "Stratus.Runtime.dll"), overwrite: true);
    }

    /// <summary>The runtime and handler the project names (StratusRuntime, StratusHandler properties), for creating the function.</summary>
    public static (string? Runtime, string? Handler) Settings(string project)
    {
        var properties = XDocument.Load(project).Descendants().Where(element => element.Parent?.Name.LocalName == "PropertyGroup").ToList();
        string? Property(string name) => properties.LastOrDefault(element => element.Name.LocalName == name)?.Value.Trim();
        return (Property("StratusRuntime") ?? "dotnet10", Property("StratusHandler"));
    }

    /// <summary>Publishes the project (Release, framework-dependent) and zips the output; the build's output goes to stderr.</summary>
    public static byte[] Publish(string project)
    {
        var output = Directory.CreateTempSubdirectory("stratus-publish-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", output, "--nologo", "-p:SelfContained=false"])
            {
                RedirectStandardOutput = true,
            };
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var process = Process.Start(start) ?? throw new UsageException("Could not start dotnet: is the .NET SDK installed?");
            // stdout stays for the deploy's own result (--json); the build speaks on stderr.
            process.OutputDataReceived += (_, line) => { if (line.Data is not null) { Console.Error.WriteLine(line.Data); } };
            process.BeginOutputReadLine();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new UsageException($"dotnet publish {project} failed (exit {process.ExitCode}); its output is above.");
            }

            using var buffer = new MemoryStream();
            ZipFile.CreateFromDirectory(output, buffer, CompressionLevel.Fastest, includeBaseDirectory: false);
            return buffer.ToArray();
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
