using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Stratus.Cli;

/// <summary><c>stratus invoice</c>: a month's invoice of an account, as a table, JSON, CSV or HTML.</summary>
internal static class InvoiceCommand
{
    public static Command Create()
    {
        var account = new Option<string?>("--account") { Description = "Account id (default: the caller's own; another account: root only)" };
        var period = new Option<string?>("--period") { Description = "Month, yyyy-MM (default: the current month, UTC)" };
        var format = new Option<string>("--format") { Description = "table, json, csv or html", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv", "html");
        var command = new Command("invoice", "Show a month's invoice: the price plan applied to the metered usage") { account, period, format };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            // The caller's own account is the one the usage API answers for.
            var id = parse.GetValue(account)
                ?? (await client.SendAsync(HttpMethod.Get, "/stratus/v1/usage", cancellationToken: ct))["AccountId"]!.ToString();
            var month = parse.GetValue(period) ?? DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var path = $"/stratus/v1/invoices/{Uri.EscapeDataString(id)}/{Uri.EscapeDataString(month)}";
            var chosen = parse.GetValue(CliApp.Json) ? "json" : parse.GetValue(format)!;
            if (chosen != "table")
            {
                Console.Write(await client.GetTextAsync($"{path}?format={chosen}", ct));
                return ExitCodes.Ok;
            }

            var invoice = await client.SendAsync(HttpMethod.Get, path, cancellationToken: ct);
            var currency = invoice["Currency"]!.ToString();
            var table = new Table()
                .Title(Markup.Escape($"Invoice of account {invoice["AccountId"]} for {invoice["Period"]}"))
                .AddColumns("DESCRIPTION", "QUANTITY", "FREE", "BILLABLE", "UNIT PRICE", $"AMOUNT ({currency})");
            foreach (var line in invoice["Lines"]!.AsArray())
            {
                var per = (decimal)line!["PricedPer"]! == 1 ? "" : $" / {(decimal)line["PricedPer"]!:#,0}";
                table.AddRow(
                    Markup.Escape(line["Description"]!.ToString()),
                    Markup.Escape($"{line["Quantity"]} {line["Unit"]}"),
                    line["FreeQuantity"]!.ToString(),
                    line["BillableQuantity"]!.ToString(),
                    Markup.Escape(line["UnitPrice"]!.ToString() + per),
                    ((decimal)line["Amount"]!).ToString("0.00", CultureInfo.InvariantCulture));
            }

            table.AddEmptyRow();
            table.AddRow("[bold]TOTAL[/]", "", "", "", "", ((decimal)invoice["Total"]!).ToString("0.00", CultureInfo.InvariantCulture));
            foreach (var column in table.Columns.Skip(1))
            {
                column.RightAligned();
            }

            CliApp.Out.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
