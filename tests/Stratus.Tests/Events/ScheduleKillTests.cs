using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Events;

/// <summary>
/// The real <c>stratus server</c> SIGKILLed while a schedule tick is in flight (its function is
/// running) and others are due while it is down; after a restart on the same data, each tick has
/// fired once. The clock is the real one: the ticks are at() times a few seconds ahead, and the test
/// waits for what it observes (a tick's function started, the server stored the tick), never for a
/// time. Which tick lands before and which after the kill may vary on a slow machine; the outcome
/// asserted does not.
/// </summary>
public sealed class ScheduleKillTests : IAsyncLifetime
{
    private const int Pending = 4;
    private readonly string _data = Directory.CreateTempSubdirectory("stratus-kill-").FullName;
    private readonly string _shared = SharedDirectory.Create("schedule-kill-");
    private Process? _server;
    private int _killed;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Server_KilledWithTicksInFlight_FiresEachTickOnceAfterRestart()
    {
        var http = await StartServerAsync();
        var zip = Zips.Create(("index.js", $$"""
            const fs = require('fs');
            exports.handler = async (event, context) => {
              const schedule = event.resources[0].split('/').pop();
              fs.writeFileSync(`{{_shared}}/${schedule}.${context.awsRequestId}`, event.time);
              // The in-flight tick holds its instance until the test releases it, after the kill.
              while (schedule === 'inflight' && !fs.existsSync('{{_shared}}/release')) await new Promise(r => setTimeout(r, 50));
              return 'ok';
            };
            """));
        await PostAsync(http, "/2015-03-31/functions", new JsonObject
        {
            ["FunctionName"] = "ticks",
            ["Runtime"] = "nodejs20.x",
            ["Handler"] = "index.handler",
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["Timeout"] = 60,
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(zip) },
        });
        var now = DateTimeOffset.UtcNow;
        var inFlightTick = Truncate(now) + TimeSpan.FromSeconds(2);
        var pendingTick = Truncate(now) + TimeSpan.FromSeconds(8);
        await PutScheduleAsync(http, "inflight", inFlightTick);
        for (var i = 0; i < Pending; i++)
        {
            await PutScheduleAsync(http, $"pending-{i}", pendingTick);
        }

        // In flight: the function is running and the server has stored the tick as fired.
        await WaitAsync(async () => Markers("inflight").Length == 1 && await LastTick(http, "inflight") is not null);
        _killed = _server!.Id;
        _server.Kill();
        await _server.WaitForExitAsync();
        await WaitAsync(() => Task.FromResult(DateTimeOffset.UtcNow > pendingTick + TimeSpan.FromSeconds(1)));

        http = await StartServerAsync();
        await WaitAsync(async () => Enumerable.Range(0, Pending).All(i => Markers($"pending-{i}").Length >= 1));
        var schedules = (await http.GetFromJsonAsync<JsonNode>("/stratus/v1/schedules"))!["Schedules"]!.AsArray();

        foreach (var name in Enumerable.Range(0, Pending).Select(i => $"pending-{i}").Prepend("inflight"))
        {
            var markers = Markers(name);
            var expected = name == "inflight" ? inFlightTick : pendingTick;
            // Once per tick: one request id (an event the durable queue re-runs after the kill keeps its id).
            Assert.True(markers.Length >= 1, $"{name}: tick not run");
            Assert.Single(markers.Select(m => Path.GetExtension(m)).Distinct());
            Assert.All(markers, m => Assert.Equal(expected.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), File.ReadAllText(m)));
            var schedule = schedules.Single(s => (string)s!["Name"]! == name)!;
            Assert.Equal(expected.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), (string)schedule["LastFiring"]!["Tick"]!);
            Assert.Empty(schedule["NextFireTimes"]!.AsArray());
        }
    }

    public async Task DisposeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_shared, "release"), "");
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        // The killed server could not stop its instances and standby runtimes: they are known by its runtime directory.
        foreach (var orphan in ProcessesOf(_killed))
        {
            Process.Start("kill", ["-9", orphan.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        }

        _server?.Dispose();
        Directory.Delete(_data, recursive: true);
        Directory.Delete(_shared, recursive: true);
    }

    private async Task<HttpClient> StartServerAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "stratus.dll"), "server", "--listen", "127.0.0.1:0", "--data", _data })
        {
            start.ArgumentList.Add(argument);
        }

        _server?.Dispose();
        _server = Process.Start(start)!;
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginErrorReadLine();
        var line = await _server.StandardOutput.ReadLineAsync();
        Assert.NotNull(line);
        return TestCredentials.Client(new Uri(line["Stratus listening on ".Length..]));
    }

    private static List<int> ProcessesOf(int server)
    {
        var found = new List<int>();
        if (server == 0)
        {
            return found;
        }

        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid) && File.ReadAllText(Path.Combine(directory, "cmdline")).Contains($"/run/stratus-{server}-", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        return found;
    }

    private static async Task PutScheduleAsync(HttpClient http, string name, DateTimeOffset tick)
    {
        using var response = await http.PutAsJsonAsync($"/stratus/v1/schedules/{name}", new JsonObject
        {
            ["ScheduleExpression"] = $"at({tick.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)})",
            ["Target"] = new JsonObject { ["FunctionName"] = "ticks" },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string?> LastTick(HttpClient http, string name) =>
        (await http.GetFromJsonAsync<JsonNode>($"/stratus/v1/schedules/{name}"))!["LastFiring"]?["Tick"]?.ToString();

    private string[] Markers(string schedule) => Directory.GetFiles(_shared, schedule + ".*");

    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Year, time.Month, time.Day, time.Hour, time.Minute, time.Second, TimeSpan.Zero);

    /// <summary>Waits (up to 60 s) for a condition the test observes.</summary>
    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 3000; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("condition not met within 60 s");
    }

    private static Task WaitAsync(Func<bool> condition) => WaitAsync(() => Task.FromResult(condition()));
}
