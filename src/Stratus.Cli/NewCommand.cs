using System.CommandLine;
using System.Text.RegularExpressions;

namespace Stratus.Cli;

/// <summary>
/// <c>stratus new RUNTIME NAME</c>: writes a ready-to-deploy function project from the templates in
/// Templates/RUNTIME/ (embedded resources), with <c>{{name}}</c> replaced in file names and contents.
/// </summary>
internal static partial class NewCommand
{
    private const string Placeholder = "{{name}}";

    public static Command Create()
    {
        var runtime = new Argument<string>("runtime") { Description = "Template: " + string.Join(", ", Templates()) };
        var name = new Argument<string>("name") { Description = "The function's name (letters, digits, - and _)" };
        var output = new Option<string?>("--output") { Description = "Directory to write (default: ./NAME)" };
        var command = new Command("new", "Write a new function project, ready to test and deploy") { runtime, name, output };
        command.SetAction(parse =>
        {
            try
            {
                var functionName = parse.GetValue(name)!;
                var directory = Write(parse.GetValue(runtime)!, functionName, parse.GetValue(output) ?? functionName);
                Console.WriteLine($"Created {functionName} in {directory}");
                return ExitCodes.Ok;
            }
            catch (UsageException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    /// <summary>Writes the project and returns its full path.</summary>
    internal static string Write(string template, string name, string directory)
    {
        if (!FunctionName().IsMatch(name))
        {
            throw new UsageException($"'{name}' is not a function name: use 1 to 64 letters, digits, hyphens or underscores, starting with a letter.");
        }

        var prefix = $"Templates/{template}/";
        var resources = typeof(NewCommand).Assembly.GetManifestResourceNames().Where(resource => resource.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (resources.Count == 0)
        {
            throw new UsageException($"No template for '{template}': choose one of {string.Join(", ", Templates())}.");
        }

        var root = Path.GetFullPath(directory);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new UsageException($"{root} already exists and is not empty.");
        }

        foreach (var resource in resources)
        {
            var target = Path.Combine(root, resource[prefix.Length..].Replace(Placeholder, name, StringComparison.Ordinal));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var reader = new StreamReader(typeof(NewCommand).Assembly.GetManifestResourceStream(resource)!);
            File.WriteAllText(target, reader.ReadToEnd().Replace(Placeholder, name, StringComparison.Ordinal));
        }

        if (template == "dotnet")
        {
            DotnetProject.AddRuntimeLibrary(root);
        }

        return root;
    }

    private static IEnumerable<string> Templates() =>
        typeof(NewCommand).Assembly.GetManifestResourceNames()
            .Where(resource => resource.StartsWith("Templates/", StringComparison.Ordinal))
            .Select(resource => resource.Split('/')[1])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex FunctionName();
}
