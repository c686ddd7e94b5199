using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Stratus.Cli;

/// <summary><c>stratus schedule create|update|get|list|delete|enable|disable</c>.</summary>
internal static class ScheduleCommands
{
    private const string Path = "/stratus/v1/schedules";

    public static Command Create()
    {
        var command = new Command("schedule", "Run functions on a schedule: cron(...), rate(...) or at(...)");
        command.Subcommands.Add(Put("create", "Create a schedule", creating: true));
        command.Subcommands.Add(Put("update", "Change a schedule's expression, zone, target or settings", creating: false));
        command.Subcommands.Add(Get());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Simple("delete", "Delete a schedule", HttpMethod.Delete, ""));
        command.Subcommands.Add(Simple("enable", "Enable a schedule: it fires from its next tick on", HttpMethod.Post, "/enable"));
        command.Subcommands.Add(Simple("disable", "Disable a schedule: it keeps its settings but does not fire", HttpMethod.Post, "/disable"));
        return command;
    }

    private static Command Put(string verb, string description, bool creating)
    {
        var name = new Argument<string>("name") { Description = "Schedule name (letters, digits, . - _)" };
        var expression = new Option<string?>("--expression") { Description = "cron(min hour day-of-month month day-of-week year), rate(5 minutes) or at(2030-01-31T08:30:00)", Required = creating };
        var function = new Option<string?>("--function") { Description = "Function name or ARN, optionally :qualifier", Required = creating };
        var timeZone = new Option<string?>("--timezone") { Description = "IANA time zone of the expression (default UTC)" };
        var input = new Option<string?>("--input") { Description = "Fixed JSON to send (@file reads a file); default: the Scheduled Event envelope" };
        var envelope = new Option<bool>("--envelope") { Description = "Send the Scheduled Event envelope instead of a fixed input" };
        var missed = new Option<string?>("--missed-ticks") { Description = "After downtime: skip (default) or catch-up-once" };
        missed.AcceptOnlyFromAmong("skip", "catch-up-once");
        var disabled = new Option<bool>("--disabled") { Description = "Create it disabled" };
        var command = new Command(verb, description) { name, expression, function, timeZone, input, missed };
        if (creating)
        {
            command.Options.Add(disabled);
        }
        else
        {
            command.Options.Add(envelope);
        }

        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var schedule = parse.GetValue(name)!;
            var path = $"{Path}/{Uri.EscapeDataString(schedule)}";
            var existing = await FindAsync(client, path, ct);
            if (creating && existing is not null)
            {
                throw new UsageException($"Schedule {schedule} already exists: change it with `stratus schedule update`.");
            }

            if (!creating && existing is null)
            {
                throw new UsageException($"Schedule {schedule} does not exist: make it with `stratus schedule create`.");
            }

            var body = existing is null ? new JsonObject { ["Target"] = new JsonObject() } : Editable(existing);
            Set(body, "ScheduleExpression", parse.GetValue(expression));
            Set(body, "ScheduleExpressionTimezone", parse.GetValue(timeZone));
            Set(body["Target"]!.AsObject(), "FunctionName", parse.GetValue(function));
            if (parse.GetValue(input) is { } text)
            {
                body["Target"]!["Input"] = text.StartsWith('@') ? await File.ReadAllTextAsync(text[1..], ct) : text;
            }
            else if (!creating && parse.GetValue(envelope))
            {
                body["Target"]!.AsObject().Remove("Input");
            }

            Set(body, "MissedTicks", parse.GetValue(missed)?.Replace('-', '_').ToUpperInvariant());
            if (creating && parse.GetValue(disabled))
            {
                body["State"] = "DISABLED";
            }

            Print(parse, await client.SendAsync(HttpMethod.Put, path, body, ct));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Get()
    {
        var name = new Argument<string>("name") { Description = "Schedule to show" };
        var command = new Command("get", "Show a schedule, its next fire times and its last tick") { name };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            Print(parse, await client.SendAsync(HttpMethod.Get, $"{Path}/{Uri.EscapeDataString(parse.GetValue(name)!)}", cancellationToken: ct));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List()
    {
        var prefix = new Option<string?>("--prefix") { Description = "Only schedules whose name starts with this" };
        var command = new Command("list", "List schedules") { prefix };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var schedules = new JsonArray();
            string? token = null;
            do
            {
                var query = "?MaxResults=1000" + (parse.GetValue(prefix) is { } p ? "&NamePrefix=" + Uri.EscapeDataString(p) : "") + (token is null ? "" : "&NextToken=" + Uri.EscapeDataString(token));
                var page = await client.SendAsync(HttpMethod.Get, Path + query, cancellationToken: ct);
                foreach (var schedule in page["Schedules"]!.AsArray())
                {
                    schedules.Add(schedule!.DeepClone());
                }

                token = page["NextToken"]?.GetValue<string>();
            }
            while (token is not null);

            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(schedules.ToJsonString());
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("NAME", "STATE", "EXPRESSION", "TIMEZONE", "FUNCTION", "NEXT FIRE", "LAST TICK");
            foreach (var schedule in schedules)
            {
                table.AddRow(
                    Markup.Escape(schedule!["Name"]!.ToString()),
                    schedule["State"]!.ToString(),
                    Markup.Escape(schedule["ScheduleExpression"]!.ToString()),
                    Markup.Escape(schedule["ScheduleExpressionTimezone"]!.ToString()),
                    Markup.Escape(Function(schedule["Target"]!)),
                    schedule["NextFireTimes"]!.AsArray().FirstOrDefault()?.ToString() ?? "-",
                    LastTick(schedule));
            }

            CliApp.Out.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Simple(string verb, string description, HttpMethod method, string suffix)
    {
        var name = new Argument<string>("name") { Description = "Schedule name" };
        var command = new Command(verb, description) { name };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var schedule = parse.GetValue(name)!;
            var result = await client.SendAsync(method, $"{Path}/{Uri.EscapeDataString(schedule)}{suffix}", cancellationToken: ct);
            if (method == HttpMethod.Delete)
            {
                result = new JsonObject { ["Deleted"] = schedule };
                if (!parse.GetValue(CliApp.Json))
                {
                    CliApp.Out.MarkupLineInterpolated($"Deleted schedule [bold]{schedule}[/]");
                    return ExitCodes.Ok;
                }
            }

            Print(parse, result);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<JsonNode?> FindAsync(StratusClient client, string path, CancellationToken ct)
    {
        try
        {
            return await client.SendAsync(HttpMethod.Get, path, cancellationToken: ct);
        }
        catch (ApiException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The settable part of a schedule as the server shows it, for an update to change.</summary>
    private static JsonObject Editable(JsonNode schedule)
    {
        var target = schedule["Target"]!;
        var body = new JsonObject
        {
            ["ScheduleExpression"] = schedule["ScheduleExpression"]!.ToString(),
            ["ScheduleExpressionTimezone"] = schedule["ScheduleExpressionTimezone"]!.ToString(),
            ["State"] = schedule["State"]!.ToString(),
            ["MissedTicks"] = schedule["MissedTicks"]!.ToString(),
            ["Target"] = new JsonObject { ["FunctionName"] = target["FunctionName"]!.ToString() },
        };
        Set(body["Target"]!.AsObject(), "Qualifier", target["Qualifier"]?.ToString());
        Set(body["Target"]!.AsObject(), "Input", target["Input"]?.ToString());
        return body;
    }

    private static void Print(ParseResult parse, JsonNode schedule)
    {
        if (parse.GetValue(CliApp.Json))
        {
            Console.WriteLine(schedule.ToJsonString());
            return;
        }

        var grid = new Grid().AddColumn().AddColumn();
        void Row(string key, string value) => grid.AddRow(new Text(key), new Text(value));
        Row("Name", schedule["Name"]!.ToString());
        Row("State", schedule["State"]!.ToString());
        Row("Expression", $"{schedule["ScheduleExpression"]} ({schedule["ScheduleExpressionTimezone"]})");
        Row("Function", Function(schedule["Target"]!));
        Row("Input", schedule["Target"]!["Input"]?.ToString() ?? "Scheduled Event envelope");
        Row("Missed ticks", schedule["MissedTicks"]!.ToString());
        var next = schedule["NextFireTimes"]!.AsArray().Select(t => t!.ToString()).ToList();
        Row("Next fire times", next.Count == 0 ? "none" : string.Join(", ", next));
        Row("Last tick", LastTick(schedule));
        CliApp.Out.Write(grid);
    }

    private static string Function(JsonNode target) =>
        target["Qualifier"] is { } qualifier ? $"{target["FunctionName"]}:{qualifier}" : target["FunctionName"]!.ToString();

    private static string LastTick(JsonNode schedule) => schedule["LastFiring"] is not { } last
        ? "-"
        : last["Error"] is { } error ? $"{last["Tick"]} failed: {error}" : $"{last["Tick"]} ({last["RequestId"]})";

    private static void Set(JsonObject target, string key, string? value)
    {
        if (value is not null)
        {
            target[key] = value;
        }
    }
}
