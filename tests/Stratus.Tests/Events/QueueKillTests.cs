using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Events;

/// <summary>
/// The promise that an accepted queue message is processed at least once: the real server process is
/// SIGKILLed while a mapping works through the queue, restarted on the same data directory, and every
/// message sent before the kill reaches the function.
/// </summary>
public sealed class QueueKillTests : IAsyncLifetime
{
    private const int Messages = 40;
    private readonly string _data = Directory.CreateTempSubdirectory("stratus-queue-kill-").FullName;
    private RecordingListener _reports = null!;

    public async Task InitializeAsync() => _reports = await RecordingListener.StartAsync();

    public async Task DisposeAsync()
    {
        await _reports.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Server_KilledWhileMappingProcessesQueue_AfterRestartEveryMessageIsProcessed()
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var inFlight = new HashSet<string>(StringComparer.Ordinal);
        using (var first = await ServerProcess.StartAsync(_data))
        {
            var http = first.Http;
            var environment = new JsonObject { ["REPORT_PORT"] = _reports.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var function = new JsonObject
            {
                ["FunctionName"] = "consumer",
                ["Runtime"] = "nodejs20.x",
                ["Handler"] = "index.handler",
                ["Role"] = "arn:aws:iam::123456789012:role/test",
                ["Timeout"] = 3,
                ["Environment"] = new JsonObject { ["Variables"] = environment },
                ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(QueueFunctions.Reporter()) },
            };
            (await http.PostAsJsonAsync("/2015-03-31/functions", function)).EnsureSuccessStatusCode();
            var queue = await SqsCalls.CreateQueueAsync(http, "durable", new JsonObject { ["VisibilityTimeout"] = "3" });
            foreach (var chunk in Enumerable.Range(0, Messages).Select(i => $"message-{i}").Chunk(10))
            {
                var reply = await SqsCalls.SendMessagesAsync(http, queue, chunk);
                foreach (var entry in reply["Successful"]!.AsArray())
                {
                    sent.Add((string)entry!["MessageId"]!);
                }
            }

            var mapping = new JsonObject
            {
                ["FunctionName"] = "consumer",
                ["EventSourceArn"] = "arn:aws:sqs:us-east-1:000000000000:durable",
                ["BatchSize"] = 5,
                ["ScalingConfig"] = new JsonObject { ["MaximumConcurrency"] = 2 },
            };
            // The function stays busy with its first batch (its report gets no reply) while the server dies.
            _reports.Hold();
            (await http.PostAsJsonAsync("/2015-03-31/event-source-mappings/", mapping)).EnsureSuccessStatusCode();
            Record(await _reports.NextAsync(), inFlight);
            first.Kill();
            _reports.Release();
        }

        using var second = await ServerProcess.StartAsync(_data);
        while (!sent.IsSubsetOf(seen))
        {
            Record(await _reports.NextAsync(), seen);
        }

        Assert.Equal(Messages, sent.Count);
        Assert.Subset(seen, inFlight);
        Assert.Subset(seen, sent);
    }

    private static void Record(JsonNode report, HashSet<string> seen)
    {
        foreach (var id in report["ids"]!.AsArray())
        {
            seen.Add((string)id!);
        }
    }
}
