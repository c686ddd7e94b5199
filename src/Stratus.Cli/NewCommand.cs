using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;

namespace Stratus.Cli;

/// <summary><c>stratus new &lt;template&gt; &lt;name&gt;</c>: a project that deploys and passes its own test as generated.</summary>
internal static partial class NewCommand
{
    public static Command Create()
    {
        var names = string.Join(", ", TemplateRegistry.All.Select(t => t.Name));
        var template = new Argument<string>("template") { Description = $"Template: {names}" };
        template.AcceptOnlyFromAmong([.. TemplateRegistry.All.Select(t => t.Name)]);
        var name = new Argument<string>("name") { Description = "Function and project name (letters, digits, - and _)" };
        var runtime = new Option<string?>("--runtime") { Description = "Runtime of the function (default: the template's first)" };
        var output = new Option<string?>("--output") { Description = "Directory to create (default: ./<name>)" };
        var command = new Command("new", "Create a function project from a template") { template, name, runtime, output };
        command.SetAction(async (parse, ct) =>
        {
            var chosen = TemplateRegistry.Find(parse.GetValue(template)!)!;
            var project = parse.GetValue(name)!;
            if (!ProjectName().IsMatch(project))
            {
                Console.Error.WriteLine($"'{project}' cannot name a function: use 1 to 64 letters, digits, '-' or '_'.");
                return ExitCodes.Usage;
            }

            var runtimeName = parse.GetValue(runtime) ?? chosen.DefaultRuntime;
            if (!chosen.Runtimes.Contains(runtimeName))
            {
                Console.Error.WriteLine($"The {chosen.Name} template runs on {string.Join(", ", chosen.Runtimes)}, not {runtimeName}.");
                return ExitCodes.Usage;
            }

            var directory = Path.GetFullPath(parse.GetValue(output) ?? project);
            if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Console.Error.WriteLine($"{directory} exists and is not empty: choose another name or --output.");
                return ExitCodes.Usage;
            }

            var written = Write(chosen, directory, new Dictionary<string, string> { ["{{name}}"] = project, ["{{runtime}}"] = runtimeName });
            if (chosen.AfterCreate is { } after)
            {
                await after(directory, ct);
            }

            Console.WriteLine($"Created {project} ({chosen.Name}, {runtimeName}) in {directory}: {string.Join(", ", written)}");
            Console.WriteLine("Next:");
            Console.WriteLine($"  cd {Path.GetRelativePath(Environment.CurrentDirectory, directory)}");
            Console.WriteLine($"  {chosen.TestCommand,-40} # the project's own test");
            Console.WriteLine($"  {"stratus deploy .",-40} # or `stratus dev`: redeploys on every save");
            Console.WriteLine($"  {$"stratus invoke {project} --payload '{{\"name\":\"Ada\"}}'",-40} # answers {{\"message\":\"Hello, Ada!\"}}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes the template's files with their placeholders replaced; returns the paths written.</summary>
    internal static List<string> Write(RuntimeTemplate template, string directory, IReadOnlyDictionary<string, string> placeholders)
    {
        var written = new List<string>();
        foreach (var (path, resource) in TemplateRegistry.Files(template))
        {
            var relative = Replace(path, placeholders);
            var target = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var reader = new StreamReader(TemplateRegistry.Open(resource), Encoding.UTF8);
            File.WriteAllText(target, Replace(reader.ReadToEnd(), placeholders), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            written.Add(relative);
        }

        return written;
    }

    private static string Replace(string text, IReadOnlyDictionary<string, string> placeholders)
    {
        foreach (var (key, value) in placeholders)
        {
            text = text.Replace(key, value, StringComparison.Ordinal);
        }

        return text;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ProjectName();
}
