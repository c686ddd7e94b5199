using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Stratus.Cli;

/// <summary><c>stratus usage</c>: the usage ledger's totals per day or per function.</summary>
internal static class UsageCommand
{
    public static Command Create()
    {
        var from = new Option<string?>("--from") { Description = "First day (yyyy-MM-dd) or UTC instant; default 30 days before --to" };
        var to = new Option<string?>("--to") { Description = "Last day, inclusive (yyyy-MM-dd), or UTC instant, exclusive; default now" };
        var function = new Option<string?>("--function") { Description = "Only this function (name or ARN)" };
        var groupBy = new Option<string>("--group-by") { Description = "day or function", DefaultValueFactory = _ => "day" };
        groupBy.AcceptOnlyFromAmong("day", "function");
        var account = new Option<string?>("--account") { Description = "Another account's usage (root only)" };
        var command = new Command("usage", "Show metered usage: requests, billed milliseconds and GB-seconds") { from, to, function, groupBy, account };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var query = "?groupBy=" + parse.GetValue(groupBy)
                + Parameter("from", parse.GetValue(from))
                + Parameter("to", parse.GetValue(to))
                + Parameter("function", parse.GetValue(function))
                + Parameter("account", parse.GetValue(account));
            var usage = await client.SendAsync(HttpMethod.Get, "/stratus/v1/usage" + query, cancellationToken: ct);
            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(usage.ToJsonString());
                return ExitCodes.Ok;
            }

            var table = new Table()
                .Title(Markup.Escape($"Usage of account {usage["AccountId"]} from {usage["From"]} to {usage["To"]}"))
                .AddColumns(parse.GetValue(groupBy) == "day" ? "DAY" : "FUNCTION", "REQUESTS", "BILLED MS", "GB-SECONDS");
            foreach (var group in usage["Groups"]!.AsArray())
            {
                AddRow(table, group!, Markup.Escape(group!["Key"]!.ToString()));
            }

            table.AddEmptyRow();
            AddRow(table, usage["Total"]!, "[bold]TOTAL[/]");
            foreach (var column in table.Columns.Skip(1))
            {
                column.RightAligned();
            }

            CliApp.Out.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Parameter(string name, string? value) => value is null ? "" : $"&{name}={Uri.EscapeDataString(value)}";

    private static void AddRow(Table table, JsonNode group, string key) =>
        table.AddRow(key, group["Requests"]!.ToString(), group["BilledMs"]!.ToString(), group["GbSeconds"]!.ToString());
}
