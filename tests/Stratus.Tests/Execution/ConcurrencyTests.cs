using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>Reserved and account concurrency, as Lambda applies them.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task PutGetDeleteConcurrency_ReservesFromTheAccountAndKeepsTheUnreservedMinimum()
    {
        await using var host = await StratusHost.StartAsync(o => o.ConcurrencyLimit = 50);
        await host.CreateFunctionAsync("reserved", "nodejs20.x", "index.handler", Zips.NodeEcho());

        var put = await SendAsync(host, HttpMethod.Put, "/2017-10-31/functions/reserved/concurrency", """{"ReservedConcurrentExecutions":20}""");
        var get = await SendAsync(host, HttpMethod.Get, "/2019-09-30/functions/reserved/concurrency");
        var function = await SendAsync(host, HttpMethod.Get, "/2015-03-31/functions/reserved");
        var settings = await SendAsync(host, HttpMethod.Get, "/2016-08-19/account-settings");
        var tooMuch = await SendAsync(host, HttpMethod.Put, "/2017-10-31/functions/reserved/concurrency", """{"ReservedConcurrentExecutions":46}""");
        var negative = await SendAsync(host, HttpMethod.Put, "/2017-10-31/functions/reserved/concurrency", """{"ReservedConcurrentExecutions":-1}""");
        var missing = await SendAsync(host, HttpMethod.Put, "/2017-10-31/functions/nope/concurrency", """{"ReservedConcurrentExecutions":1}""");
        var deleted = await SendAsync(host, HttpMethod.Delete, "/2017-10-31/functions/reserved/concurrency");
        var after = await SendAsync(host, HttpMethod.Get, "/2019-09-30/functions/reserved/concurrency");

        Assert.Equal((HttpStatusCode.OK, """{"ReservedConcurrentExecutions":20}"""), put);
        Assert.Equal((HttpStatusCode.OK, """{"ReservedConcurrentExecutions":20}"""), get);
        Assert.Contains("\"Concurrency\":{\"ReservedConcurrentExecutions\":20}", function.Body);
        Assert.Contains("\"ConcurrentExecutions\":50,\"UnreservedConcurrentExecutions\":30", settings.Body);
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch.Status);
        Assert.Contains("below its minimum value of [5]", tooMuch.Body);
        Assert.Equal(HttpStatusCode.BadRequest, negative.Status);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal((HttpStatusCode.OK, "{}"), after);
    }

    [Fact]
    public async Task ReservedConcurrency_HoldsUnderParallelLoadAndRetriesRecover()
    {
        var shared = SharedDirectory.Create("concurrency-");
        await using var host = await StratusHost.StartAsync();
        // Each invocation marks itself running, notes how many are running, waits a little, unmarks.
        await host.CreateFunctionAsync("limited", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            const fs = require('fs');
            exports.handler = async (event, context) => {
              const mine = `${process.env.SHARED}/${context.awsRequestId}`;
              fs.writeFileSync(mine, '');
              const running = fs.readdirSync(process.env.SHARED).length;
              await new Promise((r) => setTimeout(r, 50));
              fs.unlinkSync(mine);
              return running;
            };
            """)), timeout: 30, environment: new() { ["SHARED"] = shared });
        await host.CreateFunctionAsync("zero", "nodejs20.x", "index.handler", Zips.NodeEcho());
        await SendAsync(host, HttpMethod.Put, "/2017-10-31/functions/limited/concurrency", """{"ReservedConcurrentExecutions":2}""");
        await SendAsync(host, HttpMethod.Put, "/2017-10-31/functions/zero/concurrency", """{"ReservedConcurrentExecutions":0}""");

        var throttles = 0;
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            // What the AWS clients do with a 429: wait as told and try again.
            while (true)
            {
                var result = await host.InvokeAsync("limited");
                if (result.Status != 429)
                {
                    return result;
                }

                Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", (string)result.Json["Reason"]!);
                Interlocked.Increment(ref throttles);
                await Task.Yield();
            }
        }));
        var zero = await host.InvokeAsync("zero");

        Assert.All(results, r => Assert.Null(r.FunctionError));
        Assert.True(results.Max(r => int.Parse(r.Body, System.Globalization.CultureInfo.InvariantCulture)) <= 2, "more invocations ran at once than reserved");
        Assert.True(throttles > 0, "12 parallel invocations against 2 reserved were never throttled");
        Assert.Equal(429, zero.Status);
        Assert.Equal("ReservedFunctionConcurrentInvocationLimitExceeded", (string)zero.Json["Reason"]!);
        Directory.Delete(shared, recursive: true);
    }

    [Fact]
    public async Task ProvisionedConcurrency_KeepsInstancesInitialisedWhateverTheKeepAlive()
    {
        // The fixed policy: the adaptive one could pre-warm the function again once its instances are gone.
        await using var host = await StratusHost.StartAsync(o =>
        {
            o.KeepAlive = TimeSpan.Zero;
            o.KeepAlivePolicy = Stratus.Hosting.KeepAliveMode.Fixed;
        });
        await host.CreateFunctionAsync("provisioned", "nodejs20.x", "index.handler", Zips.NodeEcho());
        var engine = host.Server.Services.GetRequiredService<Stratus.Execution.ExecutionEngine>();
        const string Path = "/stratus/v1/functions/provisioned/provisioned-concurrency";

        var put = await SendAsync(host, HttpMethod.Put, Path, """{"ProvisionedConcurrentExecutions":2}""");
        var tooMany = await SendAsync(host, HttpMethod.Put, Path, """{"ProvisionedConcurrentExecutions":5000}""");
        var invoked = await host.InvokeAsync("provisioned", "{}", tail: true);
        // The instance that ran it stays busy until its runtime asks for the next event, which on a
        // loaded machine can come after the reply: only an idle instance is the keep-alive's to stop.
        for (var wait = 0; wait < 1000 && engine.InstancesByFunction().Any(f => f.Function.FunctionName == "provisioned" && f.Instances.Busy > 0); wait++)
        {
            await Task.Delay(10);
        }

        engine.Reap();
        var keptThroughKeepAlive = engine.InstanceCountOf("provisioned");
        var stats = System.Text.Json.Nodes.JsonNode.Parse(await host.Http.GetStringAsync("/stratus/v1/functions/provisioned/stats"))!;
        var get = await SendAsync(host, HttpMethod.Get, Path);
        var deleted = await SendAsync(host, HttpMethod.Delete, Path);
        // The engine's own reaper (every 10 ms with this keep-alive) may take them first; an instance
        // it stops counts until its runtime is killed, a moment later.
        for (var wait = 0; wait < 1000 && engine.InstanceCountOf("provisioned") > 0; wait++)
        {
            engine.Reap();
            await Task.Delay(10);
        }

        var afterDelete = engine.InstanceCountOf("provisioned");
        var getAfter = await SendAsync(host, HttpMethod.Get, Path);

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Contains("\"AvailableProvisionedConcurrentExecutions\":2", put.Body);
        Assert.Contains("\"Status\":\"READY\"", put.Body);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.Status);
        Assert.Equal(200, invoked.Status);
        Assert.DoesNotContain("Init Duration", invoked.Log);
        Assert.Equal(2, keptThroughKeepAlive);
        Assert.Equal(0, (int)stats["ColdStarts"]!);
        Assert.Equal(1, (int)stats["WarmStarts"]!);
        Assert.Contains("\"RequestedProvisionedConcurrentExecutions\":2", get.Body);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(0, afterDelete);
        Assert.Equal(HttpStatusCode.NotFound, getAfter.Status);
    }

    [Fact]
    public async Task ProvisionedConcurrency_FollowsNewRevisionsAndRestarts()
    {
        var data = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "stratus-tests", Guid.NewGuid().ToString("N"));
        var host = await StratusHost.StartAsync(dataDirectory: data);
        await host.CreateFunctionAsync("kept", "nodejs20.x", "index.handler", Zips.NodeEcho());
        await SendAsync(host, HttpMethod.Put, "/stratus/v1/functions/kept/provisioned-concurrency", """{"ProvisionedConcurrentExecutions":2}""");

        // New code: the new revision is provisioned as soon as it exists.
        var code = new System.Text.Json.Nodes.JsonObject { ["ZipFile"] = Convert.ToBase64String(Zips.Create(("index.js", "exports.handler = async () => 'v2';"))) };
        await SendAsync(host, HttpMethod.Put, "/2015-03-31/functions/kept/code", code.ToJsonString());
        var afterUpdate = host.Server.Services.GetRequiredService<Stratus.Execution.ExecutionEngine>().InstanceCountOf("kept");
        await host.DisposeAsync();

        // A restart on the same data provisions again before any request.
        var restarted = await StratusHost.StartAsync(dataDirectory: data);
        var afterRestart = restarted.Server.Services.GetRequiredService<Stratus.Execution.ExecutionEngine>().InstanceCountOf("kept");
        var invoked = await restarted.InvokeAsync("kept", "{}", tail: true);
        await restarted.DisposeAsync();
        Directory.Delete(data, recursive: true);

        Assert.Equal(2, afterUpdate);
        Assert.Equal(2, afterRestart);
        Assert.Equal("\"v2\"", invoked.Body);
        Assert.DoesNotContain("Init Duration", invoked.Log);
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(StratusHost host, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
