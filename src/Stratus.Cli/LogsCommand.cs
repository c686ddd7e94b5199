using System.CommandLine;
using System.Text.Json.Nodes;

namespace Stratus.Cli;

/// <summary><c>stratus logs NAME [-f]</c>: a function's recent logs, searched by text or request id, or followed live.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Function whose logs to show" };
        var limit = new Option<int>("--limit") { Description = "How many recent invocations to show", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep showing new invocations' logs as they happen (Ctrl-C to stop)" };
        var filter = new Option<string?>("--filter") { Description = "Only invocations whose log contains this text (case-sensitive)" };
        var requestId = new Option<string?>("--request-id") { Description = "Only the invocation with this request id" };
        var since = new Option<string?>("--since") { Description = "Only logs since this time (ISO 8601, or epoch milliseconds)" };
        var command = new Command("logs", "Show the logs of a function's recent invocations") { name, limit, follow, filter, requestId, since };
        command.SetAction((parse, ct) => CliApp.ClientAsync(parse, async client =>
        {
            var function = Uri.EscapeDataString(parse.GetValue(name)!);
            var json = parse.GetValue(CliApp.Json);
            var query = $"?limit={parse.GetValue(limit)}" + Param("filter", parse.GetValue(filter)) + Param("requestId", parse.GetValue(requestId)) + Param("start", parse.GetValue(since));
            if (!parse.GetValue(follow))
            {
                var logs = await client.SendAsync(HttpMethod.Get, $"/stratus/v1/functions/{function}/logs{query}", cancellationToken: ct);
                if (json)
                {
                    Console.WriteLine(logs.ToJsonString());
                    return ExitCodes.Ok;
                }

                Print(logs["Events"]!.AsArray(), json, null, remember: false);
                return ExitCodes.Ok;
            }

            try
            {
                await FollowAsync(client, function, query, json, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C ends following.
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Subscribes first, then shows the recent logs, then the new ones as they arrive: nothing falls
    /// between the two, and what both carry is shown once.
    /// </summary>
    private static async Task FollowAsync(StratusClient client, string function, string query, bool json, CancellationToken ct)
    {
        using var response = await client.StreamAsync($"/stratus/v1/functions/{function}/logs/stream", ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var first = await reader.ReadLineAsync(ct);
        if (first is null || !first.StartsWith(": following", StringComparison.Ordinal))
        {
            throw new ApiException("StreamError", "The server did not start the log stream", (int)response.StatusCode);
        }

        var recent = await client.SendAsync(HttpMethod.Get, $"/stratus/v1/functions/{function}/logs{query}", cancellationToken: ct);
        var shown = new HashSet<string>(StringComparer.Ordinal);
        Print(recent["Events"]!.AsArray(), json, shown, remember: true);
        await Console.Error.WriteLineAsync($"Following the logs of {Uri.UnescapeDataString(function)} (Ctrl-C to stop)");

        string? line;
        var isLog = false;
        while ((line = await reader.ReadLineAsync(ct)) is not null)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                isLog = line == "event: log";
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && isLog)
            {
                var record = JsonNode.Parse(line.AsSpan(6).ToString())!;
                Print([record], json, shown, remember: false);
            }
            else if (line.Length == 0)
            {
                isLog = false;
            }
        }
    }

    /// <summary>Prints records; <paramref name="shown"/> holds the recent ones' ids (only those), so a long follow keeps no growing set.</summary>
    private static void Print(IEnumerable<JsonNode?> events, bool json, HashSet<string>? shown, bool remember)
    {
        foreach (var record in events)
        {
            var id = record!["RequestId"]!.GetValue<string>();
            if (shown is not null && (remember ? !shown.Add(id) : shown.Contains(id)))
            {
                continue;
            }

            Console.Write(json ? record!.ToJsonString() + "\n" : record!["Message"]!.GetValue<string>());
        }

        Console.Out.Flush();
    }

    private static string Param(string name, string? value) => value is null ? "" : $"&{name}={Uri.EscapeDataString(value)}";
}
