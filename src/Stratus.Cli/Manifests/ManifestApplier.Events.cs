using System.Text.Json.Nodes;

namespace Stratus.Cli.Manifests;

// What triggers a function: its schedules, its queues (with their event source mappings) and its URL.
internal sealed partial class ManifestApplier
{
    private const string Schedules = "/stratus/v1/schedules";
    private const string Mappings = "/2015-03-31/event-source-mappings";

    private async Task<List<JsonNode>> ListSchedulesAsync(CancellationToken cancellationToken)
    {
        var all = new List<JsonNode>();
        string? token = null;
        do
        {
            var page = await client.SendAsync(HttpMethod.Get, $"{Schedules}?MaxResults=1000{(token is null ? "" : "&NextToken=" + Uri.EscapeDataString(token))}", cancellationToken: cancellationToken);
            all.AddRange(page["Schedules"]!.AsArray().Select(s => s!.DeepClone()));
            token = (string?)page["NextToken"];
        }
        while (token is not null);

        return all;
    }

    private async Task ApplySchedulesAsync(FunctionSpec function, List<JsonNode> existing, bool prune, Action<AppliedChange> record, CancellationToken cancellationToken)
    {
        foreach (var schedule in function.Schedules)
        {
            var target = new JsonObject { ["FunctionName"] = function.Name };
            if (schedule.Input is not null)
            {
                target["Input"] = schedule.Input;
            }

            var desired = new JsonObject
            {
                ["ScheduleExpression"] = schedule.Expression,
                ["ScheduleExpressionTimezone"] = schedule.Timezone,
                ["State"] = schedule.Enabled ? "ENABLED" : "DISABLED",
                ["Target"] = target,
            };
            var current = existing.Find(s => (string?)s["Name"] == schedule.Name);
            if (current is not null && Same(current, desired))
            {
                record(new AppliedChange("schedule", schedule.Name, ChangeAction.Unchanged));
                continue;
            }

            await client.SendAsync(HttpMethod.Put, $"{Schedules}/{Uri.EscapeDataString(schedule.Name)}", desired, cancellationToken);
            record(new AppliedChange("schedule", schedule.Name, current is null ? ChangeAction.Created : ChangeAction.Updated, current is null ? null : schedule.Expression));
        }

        // Schedules aimed at this function that the manifest does not list.
        foreach (var extra in existing.Where(s => (string?)s["Target"]?["FunctionName"] == function.Name && !function.Schedules.Any(d => d.Name == (string?)s["Name"])).ToList())
        {
            var name = (string)extra["Name"]!;
            if (prune)
            {
                await client.SendAsync(HttpMethod.Delete, $"{Schedules}/{Uri.EscapeDataString(name)}", cancellationToken: cancellationToken);
                existing.Remove(extra);
                record(new AppliedChange("schedule", name, ChangeAction.Deleted));
            }
            else
            {
                record(new AppliedChange("schedule", name, ChangeAction.Kept, "not in the manifest; --prune deletes it"));
            }
        }
    }

    private static bool Same(JsonNode current, JsonObject desired) =>
        (string?)current["ScheduleExpression"] == (string?)desired["ScheduleExpression"]
        && (string?)current["ScheduleExpressionTimezone"] == (string?)desired["ScheduleExpressionTimezone"]
        && (string?)current["State"] == (string?)desired["State"]
        && (string?)current["Target"]?["FunctionName"] == (string?)desired["Target"]!["FunctionName"]
        && current["Target"]?["Qualifier"] is null
        && (string?)current["Target"]?["Input"] == (string?)desired["Target"]!["Input"];

    private async Task ApplyQueuesAsync(FunctionSpec function, bool prune, Action<AppliedChange> record, CancellationToken cancellationToken)
    {
        var mappings = (await client.SendAsync(HttpMethod.Get, $"{Mappings}?MaxItems=10000&FunctionName={Uri.EscapeDataString(function.Name)}", cancellationToken: cancellationToken))["EventSourceMappings"]!.AsArray();
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var queue in function.Queues)
        {
            var arn = await EnsureQueueAsync(queue.Name, record, cancellationToken);
            wanted.Add(arn);
            var desired = new JsonObject
            {
                ["BatchSize"] = queue.BatchSize,
                ["MaximumBatchingWindowInSeconds"] = queue.BatchWindow,
                ["FunctionResponseTypes"] = queue.ReportBatchItemFailures ? new JsonArray("ReportBatchItemFailures") : new JsonArray(),
                ["Enabled"] = queue.Enabled,
            };
            var label = $"{queue.Name} -> {function.Name}";
            var current = mappings.FirstOrDefault(m => (string?)m!["EventSourceArn"] == arn);
            if (current is null)
            {
                desired["FunctionName"] = function.Name;
                desired["EventSourceArn"] = arn;
                await client.SendAsync(HttpMethod.Post, Mappings, desired, cancellationToken);
                record(new AppliedChange("mapping", label, ChangeAction.Created));
            }
            else if ((int?)current["BatchSize"] != queue.BatchSize
                || (int?)current["MaximumBatchingWindowInSeconds"] != queue.BatchWindow
                || (current["FunctionResponseTypes"]?.AsArray().Count > 0) != queue.ReportBatchItemFailures
                || ((string?)current["State"] is "Enabled" or "Enabling" or "Creating" or "Updating") != queue.Enabled)
            {
                await client.SendAsync(HttpMethod.Put, $"{Mappings}/{current["UUID"]}", desired, cancellationToken);
                record(new AppliedChange("mapping", label, ChangeAction.Updated));
            }
            else
            {
                record(new AppliedChange("mapping", label, ChangeAction.Unchanged));
            }
        }

        foreach (var extra in mappings.Where(m => !wanted.Contains((string)m!["EventSourceArn"]!)))
        {
            var label = $"{((string)extra!["EventSourceArn"]!).Split(':')[^1]} -> {function.Name}";
            if (prune)
            {
                await client.SendAsync(HttpMethod.Delete, $"{Mappings}/{extra["UUID"]}", cancellationToken: cancellationToken);
                record(new AppliedChange("mapping", label, ChangeAction.Deleted));
            }
            else
            {
                record(new AppliedChange("mapping", label, ChangeAction.Kept, "not in the manifest; --prune deletes it"));
            }
        }
    }

    /// <summary>Creates the queue when it does not exist (queues are shared: prune never deletes one); returns its ARN.</summary>
    private async Task<string> EnsureQueueAsync(string name, Action<AppliedChange> record, CancellationToken cancellationToken)
    {
        string url;
        try
        {
            url = (string)(await client.SendSqsAsync("GetQueueUrl", new JsonObject { ["QueueName"] = name }, cancellationToken))["QueueUrl"]!;
            record(new AppliedChange("queue", name, ChangeAction.Unchanged));
        }
        catch (ApiException ex) when (ex.ErrorType is "QueueDoesNotExist" or "NonExistentQueue")
        {
            url = (string)(await client.SendSqsAsync("CreateQueue", new JsonObject { ["QueueName"] = name }, cancellationToken))["QueueUrl"]!;
            record(new AppliedChange("queue", name, ChangeAction.Created));
        }

        var attributes = await client.SendSqsAsync("GetQueueAttributes", new JsonObject { ["QueueUrl"] = url, ["AttributeNames"] = new JsonArray("QueueArn") }, cancellationToken);
        return (string)attributes["Attributes"]!["QueueArn"]!;
    }

    private async Task ApplyUrlAsync(FunctionSpec function, bool prune, Action<AppliedChange> record, CancellationToken cancellationToken)
    {
        var path = $"/2021-10-31/functions/{Uri.EscapeDataString(function.Name)}/url";
        var current = await FindAsync(path, cancellationToken);
        if (function.Url is not { } url)
        {
            if (current is not null && prune)
            {
                await client.SendAsync(HttpMethod.Delete, path, cancellationToken: cancellationToken);
                record(new AppliedChange("url", function.Name, ChangeAction.Deleted));
            }
            else if (current is not null)
            {
                record(new AppliedChange("url", function.Name, ChangeAction.Kept, "not in the manifest; --prune deletes it"));
            }

            return;
        }

        var desired = new JsonObject { ["AuthType"] = url.AuthType, ["Cors"] = Cors(url.Cors) };
        if (current is null)
        {
            var created = await client.SendAsync(HttpMethod.Post, path, desired, cancellationToken);
            record(new AppliedChange("url", function.Name, ChangeAction.Created, (string?)created["FunctionUrl"]));
        }
        else if ((string?)current["AuthType"] != url.AuthType || !JsonNode.DeepEquals(Cors(current["Cors"]), desired["Cors"]))
        {
            var updated = await client.SendAsync(HttpMethod.Put, path, desired, cancellationToken);
            record(new AppliedChange("url", function.Name, ChangeAction.Updated, (string?)updated["FunctionUrl"]));
        }
        else
        {
            record(new AppliedChange("url", function.Name, ChangeAction.Unchanged, (string?)current["FunctionUrl"]));
        }
    }

    /// <summary>CORS settings in one shape (absent lists empty), so the manifest's and the server's compare.</summary>
    private static JsonObject Cors(CorsSpec? cors) => new()
    {
        ["AllowOrigins"] = new JsonArray([.. (cors?.AllowOrigins ?? []).Select(v => (JsonNode)v)]),
        ["AllowMethods"] = new JsonArray([.. (cors?.AllowMethods ?? []).Select(v => (JsonNode)v)]),
        ["AllowHeaders"] = new JsonArray([.. (cors?.AllowHeaders ?? []).Select(v => (JsonNode)v)]),
        ["ExposeHeaders"] = new JsonArray([.. (cors?.ExposeHeaders ?? []).Select(v => (JsonNode)v)]),
        ["MaxAge"] = cors?.MaxAge ?? 0,
        ["AllowCredentials"] = cors?.AllowCredentials ?? false,
    };

    private static JsonObject Cors(JsonNode? cors) => new()
    {
        ["AllowOrigins"] = cors?["AllowOrigins"]?.DeepClone() ?? new JsonArray(),
        ["AllowMethods"] = cors?["AllowMethods"]?.DeepClone() ?? new JsonArray(),
        ["AllowHeaders"] = cors?["AllowHeaders"]?.DeepClone() ?? new JsonArray(),
        ["ExposeHeaders"] = cors?["ExposeHeaders"]?.DeepClone() ?? new JsonArray(),
        ["MaxAge"] = (int?)cors?["MaxAge"] ?? 0,
        ["AllowCredentials"] = (bool?)cors?["AllowCredentials"] ?? false,
    };
}
