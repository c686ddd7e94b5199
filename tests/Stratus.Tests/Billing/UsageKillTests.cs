using System.Collections.Concurrent;
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
public sealed class UsageKillTests : IDisposable
{
    private const int Clients = 4;
    private const int RepliesBeforeKill = 150;
    private readonly string _data = Directory.CreateTempSubdirectory("stratus-usage-kill-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Server_KilledDuringLoad_EveryRepliedInvocationHasExactlyOneRecord()
    {
        var replied = new ConcurrentBag<string>();
        await using (var first = await ServerProcess.StartAsync(_data))
        {
            var http = first.Http;
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

            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                for (var i = 0; ; i++)
                {
                    try
                    {
                        using var response = await http.PostAsync("/2015-03-31/functions/work/invocations", new StringContent($$"""{"c":{{c}},"i":{{i}}}"""));
                        await response.Content.ReadAsStringAsync();
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
            first.Kill();
            await Task.WhenAll(clients);
        }

        await using var second = await ServerProcess.StartAsync(_data);
        var usage = await second.Http.GetFromJsonAsync<JsonNode>("/stratus/v1/usage?groupBy=function");
        var store = new SqliteUsageStore(new SqliteDatabase(Path.Combine(_data, "stratus.db")));

        Assert.True(replied.Count >= RepliesBeforeKill);
        Assert.All(replied, requestId => Assert.Single(store.ForRequest(requestId)));
        // Records beyond the replies are invocations that ran but whose reply the kill cut off.
        Assert.InRange(store.Count(), replied.Count, replied.Count + Clients);
        Assert.Equal(store.Count(), (long)usage!["Total"]!["Requests"]!);
    }
}
