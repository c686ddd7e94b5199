using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Stratus.Cli.Manifests;

/// <summary>
/// Reads <c>stratus.yaml</c> strictly: an unknown or misspelt key, a wrong type or a value out of range
/// is an error naming the file, line and key path (<c>functions.hello.memroy</c>), never ignored, so a
/// typo cannot silently deploy something other than what was written.
/// </summary>
internal static partial class ManifestReader
{
    /// <summary>A manifest is a handful of functions: a bigger file is a mistake (or hostile), not a project.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The most functions, schedules, queues, variables or list items one mapping or list may hold.</summary>
    public const int MaxEntries = 1000;

    private static readonly string[] TopKeys = ["project", "functions"];
    private static readonly string[] FunctionKeys = ["runtime", "handler", "code", "build", "memory", "timeout", "environment", "schedules", "queues", "url"];
    private static readonly string[] ScheduleKeys = ["expression", "timezone", "input", "enabled"];
    private static readonly string[] QueueKeys = ["batchSize", "batchWindow", "reportBatchItemFailures", "enabled"];
    private static readonly string[] UrlKeys = ["authType", "cors"];
    private static readonly string[] CorsKeys = ["allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "maxAge", "allowCredentials"];

    /// <summary>Finds the manifest: <paramref name="path"/> itself, or <c>stratus.yaml</c> in that directory.</summary>
    public static string? Locate(string path)
    {
        if (File.Exists(path) && (path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal)))
        {
            return Path.GetFullPath(path);
        }

        var inside = Path.Combine(path, ProjectManifest.FileName);
        return Directory.Exists(path) && File.Exists(inside) ? Path.GetFullPath(inside) : null;
    }

    public static ProjectManifest Read(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ManifestException($"{path}: no such file.");
        }

        if (new FileInfo(full).Length > MaxBytes)
        {
            throw new ManifestException($"{path}: larger than {MaxBytes / 1024} KB; a manifest lists functions, not data.");
        }

        return Parse(full, File.ReadAllText(full));
    }

    public static ProjectManifest Parse(string path, string text)
    {
        var file = Path.GetFileName(path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ManifestException($"{file} line {ex.Start.Line}: not valid YAML: {ex.InnerException?.Message ?? ex.Message}");
        }

        if (stream.Documents.Count != 1)
        {
            throw new ManifestException($"{file}: expected one YAML document, found {stream.Documents.Count}.");
        }

        var reader = new Reader(file);
        var root = reader.Mapping(stream.Documents[0].RootNode, "", TopKeys);
        var directory = Path.GetDirectoryName(path)!;
        var project = root.TryGetValue("project", out var projectNode)
            ? reader.Name(projectNode, "project")
            : Sanitize(Path.GetFileName(directory));
        if (!root.TryGetValue("functions", out var functionsNode))
        {
            throw reader.Error(stream.Documents[0].RootNode, "functions", "missing: list the functions under functions: <name>: {runtime, handler, code}.");
        }

        var functions = new List<FunctionSpec>();
        foreach (var (nameNode, body) in reader.Entries(functionsNode, "functions"))
        {
            var name = reader.Name(nameNode, "functions", functionName: true);
            functions.Add(ReadFunction(reader, directory, name, body, $"functions.{name}"));
        }

        if (functions.Count == 0)
        {
            throw reader.Error(functionsNode, "functions", "is empty: list at least one function.");
        }

        return new ProjectManifest(path, project, functions);
    }

    private static FunctionSpec ReadFunction(Reader reader, string directory, string name, YamlNode node, string at)
    {
        var keys = reader.Mapping(node, at, FunctionKeys);
        var runtime = reader.Required(keys, node, at, "runtime", "e.g. nodejs20.x or python3.12");
        var handler = reader.Required(keys, node, at, "handler", "e.g. index.handler (file index, export handler)");
        var code = keys.TryGetValue("code", out var codeNode) ? reader.Text(codeNode, at + ".code") : ".";
        var codeDirectory = Path.GetFullPath(Path.Combine(directory, code));
        var build = keys.TryGetValue("build", out var buildNode) ? reader.Text(buildNode, at + ".build") : null;
        if (build is null && !Directory.Exists(codeDirectory))
        {
            throw reader.Error(codeNode ?? node, at + ".code", $"directory {code} does not exist (relative to {ProjectManifest.FileName}).");
        }

        var memory = keys.TryGetValue("memory", out var memoryNode) ? reader.Integer(memoryNode, at + ".memory", 128, 10240, "MB") : 128;
        var timeout = keys.TryGetValue("timeout", out var timeoutNode) ? reader.Integer(timeoutNode, at + ".timeout", 1, 900, "seconds") : 3;
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (keys.TryGetValue("environment", out var environmentNode))
        {
            foreach (var (keyNode, valueNode) in reader.Entries(environmentNode, at + ".environment"))
            {
                var key = reader.Text(keyNode, at + ".environment");
                if (!EnvironmentKey().IsMatch(key))
                {
                    throw reader.Error(keyNode, $"{at}.environment.{key}", "is not a valid variable name: letters, digits and _, starting with a letter.");
                }

                environment[key] = reader.Text(valueNode, $"{at}.environment.{key}");
            }
        }

        var schedules = new List<ScheduleSpec>();
        if (keys.TryGetValue("schedules", out var schedulesNode))
        {
            foreach (var (keyNode, body) in reader.Entries(schedulesNode, at + ".schedules"))
            {
                var scheduleName = reader.Name(keyNode, at + ".schedules");
                schedules.Add(ReadSchedule(reader, body, $"{at}.schedules.{scheduleName}", scheduleName));
            }
        }

        var queues = new List<QueueSpec>();
        if (keys.TryGetValue("queues", out var queuesNode))
        {
            foreach (var (keyNode, body) in reader.Entries(queuesNode, at + ".queues"))
            {
                var queueName = reader.Name(keyNode, at + ".queues", maxLength: 80);
                queues.Add(ReadQueue(reader, body, $"{at}.queues.{queueName}", queueName));
            }
        }

        var url = keys.TryGetValue("url", out var urlNode) ? ReadUrl(reader, urlNode, at + ".url") : null;
        return new FunctionSpec(name, runtime, handler, codeDirectory, build, memory, timeout, environment, schedules, queues, url);
    }

    private static ScheduleSpec ReadSchedule(Reader reader, YamlNode node, string at, string name)
    {
        // A bare string is the expression alone: `nightly: cron(0 3 * * ? *)`.
        if (node is YamlScalarNode { Value: { Length: > 0 } expression })
        {
            return new ScheduleSpec(name, expression, "UTC", null, Enabled: true);
        }

        var keys = reader.Mapping(node, at, ScheduleKeys);
        return new ScheduleSpec(
            name,
            reader.Required(keys, node, at, "expression", "cron(...), rate(...) or at(...)"),
            keys.TryGetValue("timezone", out var zone) ? reader.Text(zone, at + ".timezone") : "UTC",
            keys.TryGetValue("input", out var input) ? reader.Text(input, at + ".input") : null,
            !keys.TryGetValue("enabled", out var enabled) || reader.Boolean(enabled, at + ".enabled"));
    }

    private static QueueSpec ReadQueue(Reader reader, YamlNode node, string at, string name)
    {
        // `orders:` with nothing after it takes Lambda's defaults.
        var keys = IsNull(node) ? new Dictionary<string, YamlNode>() : reader.Mapping(node, at, QueueKeys);
        return new QueueSpec(
            name,
            keys.TryGetValue("batchSize", out var size) ? reader.Integer(size, at + ".batchSize", 1, 10000, "messages") : 10,
            keys.TryGetValue("batchWindow", out var window) ? reader.Integer(window, at + ".batchWindow", 0, 300, "seconds") : 0,
            keys.TryGetValue("reportBatchItemFailures", out var partial) && reader.Boolean(partial, at + ".reportBatchItemFailures"),
            !keys.TryGetValue("enabled", out var enabled) || reader.Boolean(enabled, at + ".enabled"));
    }

    private static UrlSpec ReadUrl(Reader reader, YamlNode node, string at)
    {
        var keys = IsNull(node) ? new Dictionary<string, YamlNode>() : reader.Mapping(node, at, UrlKeys);
        var authType = keys.TryGetValue("authType", out var auth) ? reader.Text(auth, at + ".authType") : "NONE";
        if (authType is not ("NONE" or "AWS_IAM"))
        {
            throw reader.Error(auth!, at + ".authType", $"must be NONE or AWS_IAM, not {authType}.");
        }

        CorsSpec? cors = null;
        if (keys.TryGetValue("cors", out var corsNode))
        {
            var c = reader.Mapping(corsNode, at + ".cors", CorsKeys);
            cors = new CorsSpec(
                c.TryGetValue("allowOrigins", out var origins) ? reader.List(origins, at + ".cors.allowOrigins") : [],
                c.TryGetValue("allowMethods", out var methods) ? reader.List(methods, at + ".cors.allowMethods") : [],
                c.TryGetValue("allowHeaders", out var headers) ? reader.List(headers, at + ".cors.allowHeaders") : [],
                c.TryGetValue("exposeHeaders", out var expose) ? reader.List(expose, at + ".cors.exposeHeaders") : [],
                c.TryGetValue("maxAge", out var maxAge) ? reader.Integer(maxAge, at + ".cors.maxAge", 0, 86400, "seconds") : null,
                c.TryGetValue("allowCredentials", out var credentials) && reader.Boolean(credentials, at + ".cors.allowCredentials"));
        }

        return new UrlSpec(authType, cors);
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" } scalar && scalar.Style == ScalarStyle.Plain;

    /// <summary>A directory name made into a project name: what Lambda names allow.</summary>
    private static string Sanitize(string name)
    {
        var clean = NameCharacters().Replace(name, "-");
        return clean.Length is > 0 and <= 64 ? clean : "default";
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentKey();

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex NameCharacters();

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    internal static partial Regex NamePattern();

    /// <summary>Typed reads of nodes; each failure says where.</summary>
    private sealed class Reader(string file)
    {
        public ManifestException Error(YamlNode node, string key, string problem) =>
            new($"{file} line {node.Start.Line}: {(key.Length == 0 ? "top level" : key)}: {problem}");

        public Dictionary<string, YamlNode> Mapping(YamlNode node, string at, string[] allowed)
        {
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in Entries(node, at))
            {
                var key = Text(keyNode, at);
                var path = at.Length == 0 ? key : $"{at}.{key}";
                if (Array.IndexOf(allowed, key) < 0)
                {
                    throw Error(keyNode, path, $"unknown key; expected one of: {string.Join(", ", allowed)}.");
                }

                result[key] = value;
            }

            return result;
        }

        public IEnumerable<(YamlNode Key, YamlNode Value)> Entries(YamlNode node, string at)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw Error(node, at, "expected a mapping (key: value lines).");
            }

            // Bounded, aliases included: a few lines of anchors must not expand into millions of entries.
            if (mapping.Children.Count > MaxEntries)
            {
                throw Error(node, at, $"has {mapping.Children.Count} entries; at most {MaxEntries}.");
            }

            foreach (var (key, value) in mapping.Children)
            {
                yield return (key, value);
            }
        }

        public string Required(Dictionary<string, YamlNode> keys, YamlNode parent, string at, string key, string example) =>
            keys.TryGetValue(key, out var node) ? Text(node, $"{at}.{key}") : throw Error(parent, $"{at}.{key}", $"missing ({example}).");

        public string Text(YamlNode node, string at) => node is YamlScalarNode { Value: { } value } && !IsNull(node)
            ? value
            : throw Error(node, at, "expected a value.");

        public string Name(YamlNode node, string at, int maxLength = 64, bool functionName = false)
        {
            var name = Text(node, at);
            var valid = name.Length <= maxLength && NamePattern().IsMatch(name) && !(functionName && name.Contains('.', StringComparison.Ordinal));
            return valid
                ? name
                : throw Error(node, $"{at}.{name}", $"is not a valid name: 1 to {maxLength} letters, digits, {(functionName ? "" : "'.', ")}'-' or '_'.");
        }

        public int Integer(YamlNode node, string at, int min, int max, string unit)
        {
            var text = Text(node, at);
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw Error(node, at, $"must be a whole number of {unit} from {min} to {max}, not {text}.");
        }

        public bool Boolean(YamlNode node, string at) => Text(node, at) switch
        {
            "true" => true,
            "false" => false,
            var other => throw Error(node, at, $"must be true or false, not {other}."),
        };

        public List<string> List(YamlNode node, string at) => node switch
        {
            YamlSequenceNode { Children.Count: > MaxEntries } => throw Error(node, at, $"has more than {MaxEntries} items."),
            YamlSequenceNode sequence => [.. sequence.Children.Select(child => Text(child, at))],
            _ => throw Error(node, at, "expected a list ([a, b] or - lines)."),
        };
    }
}
