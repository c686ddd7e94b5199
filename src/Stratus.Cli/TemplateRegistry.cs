using System.Reflection;

namespace Stratus.Cli;

/// <summary>The templates <c>stratus new</c> knows, and the embedded files each one writes.</summary>
internal static class TemplateRegistry
{
    private const string Prefix = "Templates/";

    // One line per template: another runtime adds its entry here and its files under Templates/<name>/.
    private static readonly List<RuntimeTemplate> Known =
    [
        new("node", ["nodejs20.x", "nodejs22.x"], "npm test"),
        new("python", ["python3.12", "python3.9", "python3.10", "python3.11", "python3.13"], "python3 -m unittest discover -s tests"),
        new("dotnet", ["dotnet10", "dotnet8"], "dotnet test tests", (directory, _) =>
        {
            DotnetProject.AddRuntimeLibrary(directory);
            return Task.CompletedTask;
        }),
    ];

    public static IReadOnlyList<RuntimeTemplate> All => Known;

    public static RuntimeTemplate? Find(string name) => Known.Find(t => t.Name == name);

    /// <summary>The template's files: path inside the project (with '/') and the resource holding it.</summary>
    public static IEnumerable<(string Path, string Resource)> Files(RuntimeTemplate template)
    {
        var prefix = $"{Prefix}{template.Name}/";
        foreach (var resource in Assembly.GetExecutingAssembly().GetManifestResourceNames().Order(StringComparer.Ordinal))
        {
            // Built on Windows, RecursiveDir has backslashes.
            var normal = resource.Replace('\\', '/');
            if (normal.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return (normal[prefix.Length..], resource);
            }
        }
    }

    public static Stream Open(string resource) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"template file {resource} is missing from the build");
}
