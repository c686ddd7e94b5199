using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Stratus.Cli;

/// <summary><c>stratus account create|list|get|disable|enable</c> and <c>stratus key create|list|deactivate|delete</c>.</summary>
internal static class AccountCommands
{
    private const string Path = "/stratus/v1/accounts";

    public static Command Account()
    {
        var command = new Command("account", "Manage accounts (tenants): each owns its functions and access keys");
        var name = new Argument<string>("name") { Description = "Account name (letters, digits, +=,.@_-)" };
        var concurrency = new Option<int?>("--concurrency") { Description = "Quota: invocations in flight at once" };
        var functions = new Option<int?>("--max-functions") { Description = "Quota: number of functions" };
        var codeSize = new Option<long?>("--max-code-size") { Description = "Quota: total code size in bytes" };
        var create = new Command("create", "Create an account") { name, concurrency, functions, codeSize };
        create.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var body = new JsonObject
            {
                ["Name"] = parse.GetValue(name),
                ["Quotas"] = new JsonObject { ["ConcurrencyLimit"] = parse.GetValue(concurrency), ["MaxFunctions"] = parse.GetValue(functions), ["MaxCodeSizeBytes"] = parse.GetValue(codeSize) },
            };
            PrintAccount(parse, await client.SendAsync(HttpMethod.Post, Path, body, ct));
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(create);

        var list = new Command("list", "List accounts");
        list.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var accounts = (await client.SendAsync(HttpMethod.Get, Path, cancellationToken: ct))["Accounts"]!.AsArray();
            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(accounts.ToJsonString());
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("ACCOUNT", "NAME", "STATUS", "ROOT", "CREATED");
            foreach (var account in accounts)
            {
                table.AddRow(account!["AccountId"]!.ToString(), Markup.Escape(account["Name"]!.ToString()), account["Status"]!.ToString(), (bool)account["Root"]! ? "yes" : "", account["CreatedDate"]!.ToString());
            }

            CliApp.Out.Write(table);
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(list);
        command.Subcommands.Add(AccountVerb("get", "Show an account and its quotas", HttpMethod.Get, ""));
        command.Subcommands.Add(AccountVerb("disable", "Disable an account: its keys stop working, nothing is deleted", HttpMethod.Post, "/disable"));
        command.Subcommands.Add(AccountVerb("enable", "Enable a disabled account again", HttpMethod.Post, "/enable"));
        command.Subcommands.Add(Cap());
        return command;
    }

    /// <summary><c>stratus account cap ACCOUNT [AMOUNT] [--warn 50,80,100] [--remove]</c>: set, show or remove a spending cap.</summary>
    private static Command Cap()
    {
        var amount = new Argument<decimal?>("amount") { Description = "The month's cap in the price plan's currency, e.g. 25.00 (omit to show the cap and this month's charges)", Arity = ArgumentArity.ZeroOrOne };
        var warn = new Option<string?>("--warn") { Description = "Warning thresholds in percent of the cap, e.g. 50,80,100" };
        var remove = new Option<bool>("--remove") { Description = "Remove the account's cap" };
        var command = new Command("cap", "Set, show or remove an account's monthly spending cap: over it, its invocations are throttled") { AccountArgument(), amount, warn, remove };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var path = $"{Path}/{Escape(parse, command)}/cap";
            if (parse.GetValue(remove))
            {
                await client.SendAsync(HttpMethod.Delete, path, cancellationToken: ct);
                Console.WriteLine("Removed the spending cap");
                return ExitCodes.Ok;
            }

            JsonNode status;
            if (parse.GetValue(amount) is { } value)
            {
                var body = new JsonObject { ["Amount"] = value };
                if (parse.GetValue(warn) is { } thresholds)
                {
                    var list = new JsonArray();
                    foreach (var part in thresholds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        list.Add(int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var percent)
                            ? percent
                            : throw new UsageException($"--warn takes whole percentages separated by commas, not '{part}'"));
                    }

                    body["Thresholds"] = list;
                }

                status = await client.SendAsync(HttpMethod.Put, path, body, ct);
            }
            else
            {
                status = await client.SendAsync(HttpMethod.Get, path, cancellationToken: ct);
            }

            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(status.ToJsonString());
                return ExitCodes.Ok;
            }

            var cap = status["Cap"];
            CliApp.Out.MarkupLineInterpolated($"Account [bold]{status["AccountId"]}[/], {status["Period"]}: charges {status["Charges"]} {status["Currency"]}");
            CliApp.Out.MarkupLineInterpolated($"Cap: {(cap is null ? "none" : $"{cap["Amount"]} {status["Currency"]}, warnings at {string.Join(", ", cap["Thresholds"]!.AsArray().Select(t => $"{t}%"))}")}{((bool)status["Throttled"]! ? " (reached: invocations are throttled)" : "")}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Key()
    {
        var command = new Command("key", "Manage an account's access keys (the secret is shown once, at creation)");
        var create = new Command("create", "Create an access key; its secret is printed this once") { AccountArgument() };
        create.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var key = await client.SendAsync(HttpMethod.Post, $"{Path}/{Escape(parse, create)}/keys", cancellationToken: ct);
            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(key.ToJsonString());
                return ExitCodes.Ok;
            }

            CliApp.Out.Write(new Grid().AddColumn().AddColumn()
                .AddRow("aws_access_key_id", key["AccessKeyId"]!.ToString())
                .AddRow("aws_secret_access_key", Markup.Escape(key["SecretAccessKey"]!.ToString()))
                .AddRow("account", key["AccountId"]!.ToString()));
            CliApp.Out.MarkupLine("[yellow]The secret is shown this once: store it now.[/]");
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(create);

        var list = new Command("list", "List an account's access keys (never their secrets)") { AccountArgument() };
        list.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var keys = (await client.SendAsync(HttpMethod.Get, $"{Path}/{Escape(parse, list)}/keys", cancellationToken: ct))["AccessKeys"]!.AsArray();
            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine(keys.ToJsonString());
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("ACCESS KEY", "STATUS", "CREATED", "LAST USED");
            foreach (var key in keys)
            {
                table.AddRow(key!["AccessKeyId"]!.ToString(), key["Status"]!.ToString(), key["CreateDate"]!.ToString(), key["LastUsedDate"]?.ToString() ?? "-");
            }

            CliApp.Out.Write(table);
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(list);
        command.Subcommands.Add(KeyVerb("deactivate", "Deactivate a key: requests signed with it are refused", HttpMethod.Post, "/deactivate"));
        command.Subcommands.Add(KeyVerb("delete", "Delete a key for good", HttpMethod.Delete, ""));
        return command;
    }

    private static Argument<string> AccountArgument() => new("account") { Description = "Account id (12 digits)" };

    private static string Escape(ParseResult parse, Command command) =>
        Uri.EscapeDataString(parse.GetValue((Argument<string>)command.Arguments[0])!);

    private static Command AccountVerb(string verb, string description, HttpMethod method, string suffix)
    {
        var command = new Command(verb, description) { AccountArgument() };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            PrintAccount(parse, await client.SendAsync(method, $"{Path}/{Escape(parse, command)}{suffix}", cancellationToken: ct));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command KeyVerb(string verb, string description, HttpMethod method, string suffix)
    {
        var keyId = new Argument<string>("access-key-id") { Description = "Access key id" };
        var command = new Command(verb, description) { AccountArgument(), keyId };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var key = parse.GetValue(keyId)!;
            var result = await client.SendAsync(method, $"{Path}/{Escape(parse, command)}/keys/{Uri.EscapeDataString(key)}{suffix}", cancellationToken: ct);
            if (parse.GetValue(CliApp.Json))
            {
                Console.WriteLine((method == HttpMethod.Delete ? new JsonObject { ["Deleted"] = key } : result).ToJsonString());
            }
            else
            {
                CliApp.Out.MarkupLineInterpolated($"{(method == HttpMethod.Delete ? "Deleted" : "Deactivated")} access key [bold]{key}[/]");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void PrintAccount(ParseResult parse, JsonNode account)
    {
        if (parse.GetValue(CliApp.Json))
        {
            Console.WriteLine(account.ToJsonString());
            return;
        }

        var quotas = account["Quotas"]!;
        string Quota(string name) => quotas[name]?.ToString() ?? "server default";
        CliApp.Out.Write(new Grid().AddColumn().AddColumn()
            .AddRow("Account", account["AccountId"]!.ToString())
            .AddRow("Name", Markup.Escape(account["Name"]!.ToString()))
            .AddRow("Status", account["Status"]!.ToString())
            .AddRow("Root", (bool)account["Root"]! ? "yes" : "no")
            .AddRow("Created", account["CreatedDate"]!.ToString())
            .AddRow("Concurrency quota", Quota("ConcurrencyLimit"))
            .AddRow("Function quota", Quota("MaxFunctions"))
            .AddRow("Code size quota", Quota("MaxCodeSizeBytes")));
    }
}
