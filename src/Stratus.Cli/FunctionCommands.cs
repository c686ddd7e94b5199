using System.CommandLine;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Stratus.Cli;

/// <summary>The client verbs: deploy, invoke, ls, rm, logs.</summary>
internal static class FunctionCommands
{
    private const string DefaultRole = "arn:aws:iam::000000000000:role/stratus";

    public static IEnumerable<Command> Create() => [Deploy(), Invoke(), List(), Remove(), LogsCommand.Create()];

    private static Command Deploy()
    {
        var path = new Argument<string>("path") { Description = "A directory or a .zip with the function's code (a directory with a .csproj is published first)" };
        var name = new Option<string?>("--name") { Description = "Function name (default: the directory or zip name)" };
        var runtime = new Option<string?>("--runtime") { Description = "nodejs20.x, nodejs22.x, python3.x, provided.al2023, ..." };
        var handler = new Option<string?>("--handler") { Description = "e.g. index.handler or app.handler" };
        var memory = new Option<int?>("--memory") { Description = "Memory in MB (128-10240)" };
        var timeout = new Option<int?>("--timeout") { Description = "Timeout in seconds (1-900)" };
        var env = new Option<string[]>("--env") { Description = "Environment variable KEY=VALUE (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("deploy", "Create a function, or update its code and settings") { path, name, runtime, handler, memory, timeout, env };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var source = parse.GetValue(path)!;

            // A project with a stratus.yaml (as `stratus new` makes) deploys as its manifest says.
            if (parse.GetValue(runtime) is null && parse.GetValue(handler) is null && Manifests.ManifestReader.Locate(source) is not null)
            {
                await ApplyCommand.RunAsync(client, ApplyCommand.Load(source), prune: false, parse.GetValue(CliApp.Json), ct);
                return ExitCodes.Ok;
            }

            var project = DotnetProject.Find(source);
            var zip = project is null ? Package(source) : DotnetProject.Publish(project);
            var (projectRuntime, projectHandler) = project is null ? (null, null) : DotnetProject.Settings(project);
            var functionName = parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(Path.GetFullPath(source)));
            var variables = ParseEnvironment(parse.GetValue(env) ?? []);
            var configuration = new JsonObject();
            Set(configuration, "Runtime", parse.GetValue(runtime));
            Set(configuration, "Handler", parse.GetValue(handler));
            Set(configuration, "MemorySize", parse.GetValue(memory));
            Set(configuration, "Timeout", parse.GetValue(timeout));
            if (variables is not null)
            {
                configuration["Environment"] = new JsonObject { ["Variables"] = variables };
            }

            var escaped = Uri.EscapeDataString(functionName);
            JsonNode result;
            if (await ExistsAsync(client, escaped, ct))
            {
                result = await client.SendAsync(HttpMethod.Put, $"/2015-03-31/functions/{escaped}/code", new JsonObject { ["ZipFile"] = Convert.ToBase64String(zip) }, ct);
                if (configuration.Count > 0)
                {
                    result = await client.SendAsync(HttpMethod.Put, $"/2015-03-31/functions/{escaped}/configuration", configuration, ct);
                }
            }
            else
            {
                Set(configuration, "Runtime", parse.GetValue(runtime) ?? projectRuntime);
                Set(configuration, "Handler", parse.GetValue(handler) ?? projectHandler);
                if (!configuration.ContainsKey("Runtime"))
                {
                    throw new UsageException($"Function {functionName} does not exist yet: give --runtime (and --handler) to create it.");
                }

                configuration["FunctionName"] = functionName;
                configuration["Role"] = DefaultRole;
                configuration["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(zip) };
                result = await client.SendAsync(HttpMethod.Post, "/2015-03-31/functions", configuration, ct);
            }

            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(result.ToJsonString());
            }
            else
            {
                // Plain text: a hash must not be wrapped at the console width.
                Console.WriteLine($"Deployed {functionName} ({result["Runtime"]}, {result["CodeSize"]} bytes, sha256 {result["CodeSha256"]})");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Invoke()
    {
        var name = new Argument<string>("name") { Description = "Function name or ARN, optionally :qualifier" };
        var payload = new Option<string?>("--payload") { Description = "JSON event (default {}); @file reads a file" };
        var log = new Option<bool>("--log") { Description = "Show the tail of the invocation's log" };
        var isEvent = new Option<bool>("--async") { Description = "Invoke asynchronously (InvocationType Event)" };
        var command = new Command("invoke", "Invoke a function and print its result") { name, payload, log, isEvent };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var text = parse.GetValue(payload) ?? "{}";
            var bytes = text.StartsWith('@') ? await File.ReadAllBytesAsync(text[1..], ct) : Encoding.UTF8.GetBytes(text);
            var response = await client.InvokeAsync(parse.GetValue(name)!, bytes, parse.GetValue(log), parse.GetValue(isEvent), ct);
            if (parse.GetValue(CliApp.Json))
            {
                var output = new JsonObject
                {
                    ["StatusCode"] = response.Status,
                    ["RequestId"] = response.RequestId,
                    ["FunctionError"] = response.FunctionError,
                    ["Payload"] = Encoding.UTF8.GetString(response.Payload),
                    ["Log"] = response.Log,
                };
                Console.WriteLine(output.ToJsonString());
            }
            else
            {
                if (response.Log is not null)
                {
                    Console.Error.Write(response.Log);
                }

                if (response.Payload.Length > 0)
                {
                    Console.WriteLine(Encoding.UTF8.GetString(response.Payload));
                }
                else if (response.Status == 202)
                {
                    Console.WriteLine($"Accepted {response.RequestId}");
                }
            }

            return response.FunctionError is null ? ExitCodes.Ok : ExitCodes.FunctionError;
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("ls", "List functions");
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var functions = new JsonArray();
            string? marker = null;
            do
            {
                var query = marker is null ? "" : "&Marker=" + Uri.EscapeDataString(marker);
                var page = await client.SendAsync(HttpMethod.Get, "/2015-03-31/functions/?MaxItems=1000" + query, cancellationToken: ct);
                foreach (var function in page["Functions"]!.AsArray())
                {
                    functions.Add(function!.DeepClone());
                }

                marker = page["NextMarker"]?.GetValue<string>();
            }
            while (marker is not null);

            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(functions.ToJsonString());
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("NAME", "RUNTIME", "HANDLER", "MEMORY", "TIMEOUT", "CODE SIZE", "LAST MODIFIED");
            foreach (var function in functions)
            {
                table.AddRow(
                    Markup.Escape(function!["FunctionName"]!.ToString()),
                    function["Runtime"]!.ToString(),
                    Markup.Escape(function["Handler"]!.ToString()),
                    function["MemorySize"] + " MB",
                    function["Timeout"] + " s",
                    function["CodeSize"]!.ToString(),
                    function["LastModified"]!.ToString());
            }

            CliApp.Out.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "Function to delete" };
        var command = new Command("rm", "Delete a function") { name };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var function = parse.GetValue(name)!;
            await client.SendAsync(HttpMethod.Delete, $"/2015-03-31/functions/{Uri.EscapeDataString(function)}", cancellationToken: ct);
            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(new JsonObject { ["Deleted"] = function }.ToJsonString());
            }
            else
            {
                CliApp.Out.MarkupLineInterpolated($"Deleted [bold]{function}[/]");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<bool> ExistsAsync(StratusClient client, string escapedName, CancellationToken ct)
    {
        try
        {
            await client.SendAsync(HttpMethod.Get, $"/2015-03-31/functions/{escapedName}/configuration", cancellationToken: ct);
            return true;
        }
        catch (ApiException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>A zip as is, or a directory zipped in memory (keeping file modes, so a bootstrap stays executable).</summary>
    internal static byte[] Package(string source)
    {
        if (File.Exists(source))
        {
            return File.ReadAllBytes(source);
        }

        if (!Directory.Exists(source))
        {
            throw new UsageException($"{source} is neither a directory nor a zip file.");
        }

        using var buffer = new MemoryStream();
        ZipFile.CreateFromDirectory(source, buffer, CompressionLevel.Fastest, includeBaseDirectory: false);
        return buffer.ToArray();
    }

    private static JsonObject? ParseEnvironment(string[] pairs)
    {
        if (pairs.Length == 0)
        {
            return null;
        }

        var variables = new JsonObject();
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--env takes KEY=VALUE, not '{pair}'");
            }

            variables[pair[..equals]] = pair[(equals + 1)..];
        }

        return variables;
    }

    private static void Set<T>(JsonObject target, string key, T? value)
    {
        if (value is not null)
        {
            target[key] = JsonValue.Create(value);
        }
    }
}
