using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Stratus.Cli.Manifests;

/// <summary>
/// Makes the server match a manifest: creates what is missing, updates what differs, leaves what
/// matches untouched (and says so), and with prune deletes what the project owns but no longer lists.
/// Every step is reported as it completes, so a long upload shows where it is.
/// </summary>
internal sealed partial class ManifestApplier(StratusClient client, Action<AppliedChange> report, Action<string>? progress = null)
{
    private const string DefaultRole = "arn:aws:iam::000000000000:role/stratus";
    private const string Functions = "/2015-03-31/functions";

    public async Task<IReadOnlyList<AppliedChange>> ApplyAsync(ProjectManifest manifest, bool prune, CancellationToken cancellationToken)
    {
        var changes = new List<AppliedChange>();
        void Record(AppliedChange change)
        {
            changes.Add(change);
            report(change);
        }

        var schedules = await ListSchedulesAsync(cancellationToken);
        foreach (var function in manifest.Functions)
        {
            try
            {
                Record(await ApplyFunctionAsync(manifest, function, cancellationToken));
                await ApplySchedulesAsync(function, schedules, prune, Record, cancellationToken);
                await ApplyQueuesAsync(function, prune, Record, cancellationToken);
                await ApplyUrlAsync(function, prune, Record, cancellationToken);
            }
            catch (ApiException ex)
            {
                // The server's refusal (an unknown runtime, a bad schedule expression) names the manifest entry it came from.
                throw new ApiException(ex.ErrorType, $"functions.{function.Name} in {Path.GetFileName(manifest.Path)}: {ex.Message}", ex.Status);
            }
        }

        await PruneFunctionsAsync(manifest, schedules, prune, Record, cancellationToken);
        return changes;
    }

    private async Task<AppliedChange> ApplyFunctionAsync(ProjectManifest manifest, FunctionSpec function, CancellationToken cancellationToken)
    {
        if (function.Build is { } build)
        {
            progress?.Invoke($"Building {function.Name}: {build}");
            await BuildAsync(manifest.Directory, function.Name, build, cancellationToken);
        }

        progress?.Invoke($"Packaging {function.Name}");
        var package = CodePackage.FromDirectory(function.Code);
        var path = $"{Functions}/{Uri.EscapeDataString(function.Name)}";
        var desired = Configuration(manifest, function);
        var current = await FindAsync(path + "/configuration", cancellationToken);
        if (current is null)
        {
            progress?.Invoke($"Creating {function.Name} ({package.Zip.Length / 1024} KB)");
            desired["FunctionName"] = function.Name;
            desired["Role"] = DefaultRole;
            desired["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(package.Zip) };
            await client.SendAsync(HttpMethod.Post, Functions, desired, cancellationToken);
            return new AppliedChange("function", function.Name, ChangeAction.Created);
        }

        var differences = new List<string>();
        if ((string?)current["CodeSha256"] != package.Sha256)
        {
            progress?.Invoke($"Uploading {function.Name} ({package.Zip.Length / 1024} KB)");
            await client.SendAsync(HttpMethod.Put, path + "/code", new JsonObject { ["ZipFile"] = Convert.ToBase64String(package.Zip) }, cancellationToken);
            differences.Add("code");
        }

        var changed = new JsonObject();
        foreach (var (key, value) in desired)
        {
            var now = key == "Environment" ? new JsonObject { ["Variables"] = current["Environment"]?["Variables"]?.DeepClone() ?? new JsonObject() } : current[key];
            if (!JsonNode.DeepEquals(now, value))
            {
                changed[key] = value!.DeepClone();
                differences.Add(Label(key));
            }
        }

        if (changed.Count > 0)
        {
            progress?.Invoke($"Configuring {function.Name}");
            await client.SendAsync(HttpMethod.Put, path + "/configuration", changed, cancellationToken);
        }

        return differences.Count == 0
            ? new AppliedChange("function", function.Name, ChangeAction.Unchanged)
            : new AppliedChange("function", function.Name, ChangeAction.Updated, string.Join(", ", differences));
    }

    /// <summary>The settings the manifest fixes; what it leaves out gets Lambda's defaults, so removing a line undoes it.</summary>
    private static JsonObject Configuration(ProjectManifest manifest, FunctionSpec function)
    {
        var variables = new JsonObject();
        foreach (var (key, value) in function.Environment)
        {
            variables[key] = value;
        }

        return new JsonObject
        {
            ["Runtime"] = function.Runtime,
            ["Handler"] = function.Handler,
            ["MemorySize"] = function.Memory,
            ["Timeout"] = function.Timeout,
            ["Description"] = manifest.OwnerMark,
            ["Environment"] = new JsonObject { ["Variables"] = variables },
        };
    }

    private static string Label(string key) => key switch
    {
        "MemorySize" => "memory",
        "Environment" => "environment",
        "Description" => "project",
        _ => key.ToLowerInvariant(),
    };

    private async Task PruneFunctionsAsync(ProjectManifest manifest, List<JsonNode> schedules, bool prune, Action<AppliedChange> record, CancellationToken cancellationToken)
    {
        var listed = manifest.Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        string? marker = null;
        var owned = new List<string>();
        do
        {
            var page = await client.SendAsync(HttpMethod.Get, $"{Functions}/?MaxItems=1000{(marker is null ? "" : "&Marker=" + Uri.EscapeDataString(marker))}", cancellationToken: cancellationToken);
            owned.AddRange(page["Functions"]!.AsArray()
                .Where(f => (string?)f!["Description"] == manifest.OwnerMark && !listed.Contains((string)f["FunctionName"]!))
                .Select(f => (string)f!["FunctionName"]!));
            marker = (string?)page["NextMarker"];
        }
        while (marker is not null);

        foreach (var name in owned)
        {
            if (!prune)
            {
                record(new AppliedChange("function", name, ChangeAction.Kept, "no longer in the manifest; --prune deletes it"));
                continue;
            }

            // What pointed at it goes first: a schedule or mapping of a deleted function would only fail.
            var removed = new FunctionSpec(name, "", "", "", null, 0, 0, new Dictionary<string, string>(), [], [], null);
            await ApplySchedulesAsync(removed, schedules, prune: true, record, cancellationToken);
            await ApplyQueuesAsync(removed, prune: true, record, cancellationToken);
            await client.SendAsync(HttpMethod.Delete, $"{Functions}/{Uri.EscapeDataString(name)}", cancellationToken: cancellationToken);
            record(new AppliedChange("function", name, ChangeAction.Deleted));
        }
    }

    private async Task<JsonNode?> FindAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(HttpMethod.Get, path, cancellationToken: cancellationToken);
        }
        catch (ApiException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Runs a function's build command in the project directory; its output is shown only when it fails.</summary>
    private static async Task BuildAsync(string directory, string function, string command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start) ?? throw new ManifestException($"functions.{function}.build: cannot start /bin/sh.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new ManifestException($"functions.{function}.build: `{command}` failed with exit code {process.ExitCode}:\n{await output}{await errors}");
        }
    }
}
