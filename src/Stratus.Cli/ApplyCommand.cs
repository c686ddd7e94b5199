using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;
using Stratus.Cli.Manifests;

namespace Stratus.Cli;

/// <summary><c>stratus apply [path] [--prune]</c>: makes the server match a <c>stratus.yaml</c>.</summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "stratus.yaml, or the directory holding it", DefaultValueFactory = _ => "." };
        var prune = new Option<bool>("--prune") { Description = "Delete what this project deployed before but the manifest no longer lists" };
        var command = new Command("apply", "Create, update or leave alone the functions, schedules, queues and URLs a stratus.yaml lists") { path, prune };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var manifest = Load(parse.GetValue(path)!);
            await RunAsync(client, manifest, parse.GetValue(prune), parse.GetValue(CliApp.Json), ct);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Reads the manifest at or in <paramref name="path"/>; a problem with it is a usage error naming the key.</summary>
    public static ProjectManifest Load(string path)
    {
        var file = ManifestReader.Locate(path) ?? throw new UsageException($"No {ProjectManifest.FileName} at {path}: create one, or start a project with `stratus new node <name>`.");
        try
        {
            return ManifestReader.Read(file);
        }
        catch (ManifestException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    /// <summary>Applies and prints one line per resource as it is done, then a summary; returns what changed.</summary>
    public static async Task<IReadOnlyList<AppliedChange>> RunAsync(StratusClient client, ProjectManifest manifest, bool prune, bool json, CancellationToken cancellationToken)
    {
        // Redirected output is for scripts: plain lines, never wrapped at a console width.
        var interactive = !json && !Console.IsOutputRedirected;
        void Report(AppliedChange change)
        {
            if (interactive)
            {
                CliApp.Out.WriteLine(change.ToString());
            }
            else if (!json)
            {
                Console.WriteLine(change.ToString());
            }
        }

        IReadOnlyList<AppliedChange> changes;
        try
        {
            if (!interactive)
            {
                changes = await new ManifestApplier(client, Report).ApplyAsync(manifest, prune, cancellationToken);
            }
            else
            {
                // On a terminal, a spinner names the step under way (a build or an upload can take a while).
                changes = await CliApp.Out.Status().StartAsync("Reading the server", async context =>
                    await new ManifestApplier(client, Report, step => context.Status(Markup.Escape(step))).ApplyAsync(manifest, prune, cancellationToken));
            }
        }
        catch (ManifestException ex)
        {
            throw new UsageException(ex.Message);
        }

        if (json)
        {
            var output = new JsonArray([.. changes.Select(c => (JsonNode)new JsonObject
            {
                ["Kind"] = c.Kind,
                ["Name"] = c.Name,
                ["Action"] = c.Action.ToString(),
                ["Detail"] = c.Detail,
            })]);
            Console.WriteLine(output.ToJsonString());
        }
        else
        {
            Console.WriteLine(Summary(manifest, changes));
        }

        return changes;
    }

    public static string Summary(ProjectManifest manifest, IReadOnlyList<AppliedChange> changes)
    {
        int Count(ChangeAction action) => changes.Count(c => c.Action == action);
        var changed = Count(ChangeAction.Created) + Count(ChangeAction.Updated) + Count(ChangeAction.Deleted);
        var file = Path.GetFileName(manifest.Path);
        var kept = Count(ChangeAction.Kept) is > 0 and var k ? $", {k} not in the manifest kept" : "";
        return changed == 0
            ? $"{file}: nothing changed ({Count(ChangeAction.Unchanged)} unchanged{kept})"
            : $"{file}: {Count(ChangeAction.Created)} created, {Count(ChangeAction.Updated)} updated, {Count(ChangeAction.Deleted)} deleted, {Count(ChangeAction.Unchanged)} unchanged{kept}";
    }
}
