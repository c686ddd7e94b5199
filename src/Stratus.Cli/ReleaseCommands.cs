using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Stratus.Cli;

/// <summary>
/// <c>stratus release</c> and <c>stratus rollback</c>: the common ways to move an alias between
/// published versions (a full release, a canary share, promoting the canary, going back).
/// </summary>
internal static class ReleaseCommands
{
    private const string DefaultAlias = "live";

    public static Command Release()
    {
        var name = new Argument<string>("function") { Description = "Function name" };
        var alias = AliasOption();
        var weight = new Option<double?>("--weight") { Description = "Canary: send only this percentage (0-100) of the alias's invocations to the new version" };
        var promote = new Option<bool>("--promote") { Description = "Finish a canary: the alias's new version takes all invocations" };
        var description = new Option<string?>("--description") { Description = "Description of the new version" };
        var command = new Command("release", "Publish $LATEST as a new version and point an alias at it (all of it, or a canary share)")
        {
            name, alias, weight, promote, description,
        };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var function = Uri.EscapeDataString(parse.GetValue(name)!);
            var aliasName = parse.GetValue(alias)!;
            var aliasPath = $"/2015-03-31/functions/{function}/aliases/{Uri.EscapeDataString(aliasName)}";
            var current = await FindAliasAsync(client, aliasPath, ct);
            if (parse.GetValue(promote))
            {
                if (parse.GetValue(weight) is not null)
                {
                    throw new UsageException("--promote and --weight do not go together: --promote ends a canary.");
                }

                var canary = current is null ? null : Canary(current);
                if (current is null || canary is null)
                {
                    throw new UsageException($"Alias {aliasName} has no canary to promote.");
                }

                var promoted = await client.SendAsync(HttpMethod.Put, aliasPath, Update(canary.Value.Version, null, current), ct);
                return Report(parse, promoted, $"Promoted version {canary.Value.Version}: alias {aliasName} now runs it for all invocations.");
            }

            var share = parse.GetValue(weight);
            if (share is < 0 or > 100)
            {
                throw new UsageException("--weight is a percentage from 0 to 100.");
            }

            var publish = new JsonObject();
            if (parse.GetValue(description) is { } text)
            {
                publish["Description"] = text;
            }

            var version = (string)(await client.SendAsync(HttpMethod.Post, $"/2015-03-31/functions/{function}/versions", publish, ct))["Version"]!;
            JsonNode result;
            string message;
            if (current is null)
            {
                result = await client.SendAsync(HttpMethod.Post, $"/2015-03-31/functions/{function}/aliases",
                    new JsonObject { ["Name"] = aliasName, ["FunctionVersion"] = version }, ct);
                message = $"Published version {version}; created alias {aliasName} for it.";
            }
            else if ((string?)current["FunctionVersion"] == version)
            {
                result = current;
                message = $"Version {version} has nothing new; alias {aliasName} already runs it.";
            }
            else if (share is { } percent && percent < 100)
            {
                result = await client.SendAsync(HttpMethod.Put, aliasPath, Update((string)current["FunctionVersion"]!, (version, percent / 100), current), ct);
                message = $"Published version {version}; alias {aliasName}: version {current["FunctionVersion"]} {100 - percent:0.##}%, version {version} {percent:0.##}%.";
            }
            else
            {
                result = await client.SendAsync(HttpMethod.Put, aliasPath, Update(version, null, current), ct);
                message = $"Published version {version}; alias {aliasName} moved from version {current["FunctionVersion"]} to {version}.";
            }

            return Report(parse, result, message);
        }));
        return command;
    }

    public static Command Rollback()
    {
        var name = new Argument<string>("function") { Description = "Function name" };
        var alias = AliasOption();
        var command = new Command("rollback", "Undo a release: drop an alias's canary, or point it back at the version before its current one")
        {
            name, alias,
        };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var function = Uri.EscapeDataString(parse.GetValue(name)!);
            var aliasName = parse.GetValue(alias)!;
            var aliasPath = $"/2015-03-31/functions/{function}/aliases/{Uri.EscapeDataString(aliasName)}";
            var current = await FindAliasAsync(client, aliasPath, ct) ?? throw new UsageException($"Alias {aliasName} does not exist: nothing to roll back.");
            var primary = (string)current["FunctionVersion"]!;
            if (Canary(current) is { } canary)
            {
                var cleared = await client.SendAsync(HttpMethod.Put, aliasPath, Update(primary, null, current), ct);
                return Report(parse, cleared, $"Dropped the canary (version {canary.Version}): alias {aliasName} runs version {primary} only.");
            }

            var versions = (await client.SendAsync(HttpMethod.Get, $"/2015-03-31/functions/{function}/versions?MaxItems=10000", null, ct))["Versions"]!.AsArray()
                .Select(v => (string)v!["Version"]!)
                .Where(v => v != "$LATEST")
                .Select(v => int.Parse(v, CultureInfo.InvariantCulture))
                .ToList();
            if (!int.TryParse(primary, NumberStyles.None, CultureInfo.InvariantCulture, out var now) || versions.Where(v => v < now).DefaultIfEmpty(0).Max() is not (> 0 and var previous))
            {
                throw new UsageException($"Alias {aliasName} runs version {primary}; there is no earlier version to go back to.");
            }

            var back = await client.SendAsync(HttpMethod.Put, aliasPath, Update(previous.ToString(CultureInfo.InvariantCulture), null, current), ct);
            return Report(parse, back, $"Rolled back: alias {aliasName} moved from version {primary} to {previous}.");
        }));
        return command;
    }

    private static Option<string> AliasOption() => new("--alias")
    {
        Description = $"Alias to move (default {DefaultAlias})",
        DefaultValueFactory = _ => DefaultAlias,
    };

    private static async Task<JsonNode?> FindAliasAsync(StratusClient client, string path, CancellationToken ct)
    {
        try
        {
            return await client.SendAsync(HttpMethod.Get, path, null, ct);
        }
        catch (ApiException ex) when (ex.ErrorType == "ResourceNotFoundException" && ex.Message.StartsWith("Alias not found", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <summary>The version an alias sends a share to, and that share, if it has one.</summary>
    private static (string Version, double Weight)? Canary(JsonNode alias) =>
        alias["RoutingConfig"]?["AdditionalVersionWeights"]?.AsObject().FirstOrDefault() is { Key: { } version, Value: { } weight }
            ? (version, (double)weight)
            : null;

    /// <summary>An UpdateAlias body: the primary version, an optional canary, guarded by the alias's revision.</summary>
    private static JsonObject Update(string version, (string Version, double Weight)? canary, JsonNode current)
    {
        var weights = new JsonObject();
        if (canary is { } split)
        {
            weights[split.Version] = split.Weight;
        }

        return new JsonObject
        {
            ["FunctionVersion"] = version,
            ["RoutingConfig"] = new JsonObject { ["AdditionalVersionWeights"] = weights },
            ["RevisionId"] = (string?)current["RevisionId"],
        };
    }

    private static int Report(ParseResult parse, JsonNode alias, string message)
    {
        Console.WriteLine(parse.GetValue(CliApp.Json) ? alias.ToJsonString() : message);
        return ExitCodes.Ok;
    }
}
