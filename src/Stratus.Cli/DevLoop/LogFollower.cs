using System.Text.Json.Nodes;

namespace Stratus.Cli.DevLoop;

/// <summary>
/// Streams the logs of a project's functions while <c>stratus dev</c> runs: polls each function's recent
/// invocations and prints those not printed yet, each line prefixed with the function's name.
/// </summary>
internal sealed class LogFollower(StratusClient client, TimeProvider time, Action<string> write)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private const int Window = 50;

    // Request ids already printed, per function; bounded by what one poll can return.
    private readonly Dictionary<string, Queue<string>> _seen = new(StringComparer.Ordinal);

    /// <summary>Marks what is already there as printed: dev shows what happens from now on.</summary>
    public async Task StartAsync(IEnumerable<string> functions, CancellationToken cancellationToken)
    {
        foreach (var function in functions)
        {
            await PollAsync(function, print: false, cancellationToken);
        }
    }

    public async Task RunAsync(Func<IReadOnlyList<string>> functions, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            foreach (var function in functions())
            {
                await PollAsync(function, print: true, cancellationToken);
            }
        }
    }

    private async Task PollAsync(string function, bool print, CancellationToken cancellationToken)
    {
        JsonNode logs;
        try
        {
            logs = await client.SendAsync(HttpMethod.Get, $"/stratus/v1/functions/{Uri.EscapeDataString(function)}/logs?limit={Window}", cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is ApiException or UnreachableException)
        {
            // Not deployed yet, or the server is restarting: the next poll tries again.
            return;
        }

        if (!_seen.TryGetValue(function, out var seen))
        {
            seen = new Queue<string>();
            _seen[function] = seen;
        }

        foreach (var record in logs["Events"]!.AsArray())
        {
            var id = (string?)record!["RequestId"] ?? "";
            if (seen.Contains(id))
            {
                continue;
            }

            seen.Enqueue(id);
            if (seen.Count > Window * 2)
            {
                seen.Dequeue();
            }

            if (print)
            {
                foreach (var line in ((string?)record["Message"] ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    write($"{function} | {line.TrimEnd('\r')}");
                }
            }
        }
    }
}
