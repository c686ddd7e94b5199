using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Stratus.Billing;
using Stratus.Storage.Sqlite;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Billing;

/// <summary>
/// The real <c>stratus server</c> SIGKILLed while clients invoke a function as fast as they can; after
/// a restart on the same data, every invocation whose reply a client received has exactly one usage
/// record. The kill comes once the clients have received a number of replies, whenever that is.
/// </summary>
public sealed class UsageKillTests : IAsyncLifetime
{
    private const int Clients = 4;
    private const int RepliesBeforeKill = 150;
    private readonly string _data = Directory.CreateTempSubdirectory("stratus-usage-kill-").FullName;
    private readonly List<int> _killed = [];
    private Process? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Server_KilledDuringLoad_EveryRepliedInvocationHasExactlyOneRecord()
    {
        var http = await StartServerAsync();
        using (var created = await http.PostAsJsonAsync("/2015-03-31/functions", new JsonObject
        {
            ["FunctionName"] = "work",
            ["Runtime"] = "nodejs20.x",
            ["Handler"] = "index.handler",
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(Zips.Create(("index.js", "exports.handler = async (event) => event;"))) },
        }))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var replied = new ConcurrentBag<string>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                try
                {
                    using var response = await http.PostAsync("/2015-03-31/functions/work/invocations", new StringContent($$"""{"c":{{c}},"i":{{i}}}"""));
                    var body = await response.Content.ReadAsStringAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        continue;
                    }

                    // The whole reply was read: this invocation completed as far as its caller knows.
                    replied.Add(response.Headers.GetValues("x-amzn-RequestId").Single());
                    if (replied.Count >= RepliesBeforeKill)
                    {
                        enough.TrySetResult();
                    }
                }
                catch (HttpRequestException)
                {
                    return;
                }
            }
        })).ToList();

        await enough.Task.WaitAsync(TimeSpan.FromMinutes(2));
        _killed.Add(_server!.Id);
        _server.Kill();
        await _server.WaitForExitAsync();
        await Task.WhenAll(clients);
        http.Dispose();

        http = await StartServerAsync();
        var usage = await http.GetFromJsonAsync<JsonNode>("/stratus/v1/usage?groupBy=function");
        var store = new SqliteUsageStore(new SqliteDatabase(Path.Combine(_data, "stratus.db")));

        Assert.True(replied.Count >= RepliesBeforeKill);
        Assert.All(replied, requestId => Assert.Single(store.ForRequest(requestId)));
        // Records beyond the replies are invocations that ran but whose reply the kill cut off.
        Assert.InRange(store.Count(), replied.Count, replied.Count + Clients);
        Assert.Equal(store.Count(), (long)usage!["Total"]!["Requests"]!);
        http.Dispose();
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        // A killed server could not stop its instances: they are known by its runtime directory.
        foreach (var orphan in _killed.SelectMany(ProcessesOf))
        {
            Process.Start("kill", ["-9", orphan.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        }

        _server?.Dispose();
        Directory.Delete(_data, recursive: true);
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
        return new HttpClient { BaseAddress = new Uri(line["Stratus listening on ".Length..]) };
    }

    private static IEnumerable<int> ProcessesOf(int server)
    {
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            int pid;
            try
            {
                if (!int.TryParse(Path.GetFileName(directory), out pid) || !File.ReadAllText(Path.Combine(directory, "cmdline")).Contains($"/run/stratus-{server}-", StringComparison.Ordinal))
                {
                    continue;
                }
            }
            catch (IOException)
            {
                continue;
            }

            yield return pid;
        }
    }
}
