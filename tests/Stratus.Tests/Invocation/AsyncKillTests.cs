using Xunit.Abstractions;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Invocation;

/// <summary>
/// The durability promise with the real <c>stratus server</c> process: events are accepted while
/// others run, the server is SIGKILLed at a random point, and after a restart on the same data every
/// event that got a 202 runs (at least once). The function reports each request id it ran to a
/// listener in this test.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class AsyncKillTests(ITestOutputHelper output) : IAsyncDisposable
{
    private const int Rounds = 3;
    private const int EventsPerRound = 300;
    private readonly string _data = Directory.CreateTempSubdirectory("stratus-kill-").FullName;
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
    private WebApplication? _listener;

    [Fact]
    public async Task EventInvoke_ServerKilledWhileEventsRun_EveryAcceptedEventRunsAfterRestart()
    {
        var seenAt = await StartListenerAsync();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var accepted = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        for (var round = 0; round < Rounds; round++)
        {
            await using var server = await ServerProcess.StartAsync(_data, "--async-retry-delay", "1");
            if (round == 0)
            {
                await CreateFunctionAsync(server.Http, seenAt);
            }

            // Kill once random numbers of events have been accepted and have run in this round, while
            // senders keep sending and the dispatcher runs what is queued.
            var seenBefore = _seen.Count;
            var acceptedBefore = accepted.Count;
            var killAfter = random.Next(1, 60);
            var killAfterAccepted = random.Next(1, EventsPerRound / 2);
            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 8).Select(_ => SendEventsAsync(server.Http, accepted, EventsPerRound * (round + 1), stop.Token)).ToArray();
            var patience = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while ((_seen.Count - seenBefore < killAfter || accepted.Count - acceptedBefore < killAfterAccepted) && DateTime.UtcNow < patience)
            {
                await Task.Delay(5);
            }

            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
            output.WriteLine($"round {round}: killed with {accepted.Count} events accepted so far, {accepted.Keys.Count(id => !_seen.ContainsKey(id))} of them not run yet");
        }

        await using (var last = await ServerProcess.StartAsync(_data, "--async-retry-delay", "1"))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
            while (accepted.Keys.Any(id => !_seen.ContainsKey(id)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            await last.StopAsync();
        }

        output.WriteLine($"after the last restart: {accepted.Count} accepted, {_seen.Count} ran, {_seen.Values.Count(n => n > 1)} more than once");
        var lost = accepted.Keys.Where(id => !_seen.ContainsKey(id)).ToList();
        Assert.True(accepted.Count >= Rounds, $"only {accepted.Count} events were accepted (seed {seed})");
        Assert.True(lost.Count == 0, $"{lost.Count} of {accepted.Count} accepted events never ran (seed {seed}), e.g. {string.Join(", ", lost.Take(5))}");
    }

    private static async Task SendEventsAsync(HttpClient http, ConcurrentDictionary<string, bool> accepted, int cap, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && accepted.Count < cap)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/report/invocations") { Content = new StringContent("{}") };
                request.Headers.Add("X-Amz-Invocation-Type", "Event");
                using var response = await http.SendAsync(request, stop);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted[response.Headers.GetValues("x-amzn-RequestId").Single()] = true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                // The server died mid-request: this event was never acknowledged, so it is not owed.
                return;
            }
        }
    }

    private static async Task CreateFunctionAsync(HttpClient http, string seenAt)
    {
        var body = new JsonObject
        {
            ["FunctionName"] = "report",
            ["Runtime"] = "nodejs20.x",
            ["Handler"] = "index.handler",
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["Environment"] = new JsonObject { ["Variables"] = new JsonObject { ["SEEN"] = seenAt } },
            ["Code"] = new JsonObject
            {
                ["ZipFile"] = Convert.ToBase64String(Zips.Create(("index.js", """
                    const http = require('http');
                    exports.handler = async (event, context) => {
                      await new Promise((resolve, reject) => {
                        http.get(process.env.SEEN + '/seen/' + context.awsRequestId, res => { res.resume(); res.on('end', resolve); }).on('error', reject);
                      });
                      return 'ok';
                    };
                    """))),
            },
        };
        using var response = await http.PostAsJsonAsync("/2015-03-31/functions", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<string> StartListenerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _listener = builder.Build();
        _listener.MapGet("/seen/{id}", (string id) =>
        {
            _seen.AddOrUpdate(id, 1, (_, count) => count + 1);
            return Results.Ok();
        });
        await _listener.StartAsync();
        return _listener.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>
/// The kill test starts and kills whole servers and runs hundreds of invocations: it runs on its own,
/// after the other tests, so that neither slows the other down.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "Kill tests";
}
