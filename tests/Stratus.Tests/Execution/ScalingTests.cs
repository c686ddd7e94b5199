using Microsoft.Extensions.DependencyInjection;
using Stratus.Execution;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

public sealed class ScalingTests
{
    [Fact]
    public async Task Invoke_Sequential_ReusesTheWarmInstance()
    {
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("pid", "nodejs20.x", "index.handler", Zips.Create(("index.js", "exports.handler = async () => process.pid;")));

        var first = await host.InvokeAsync("pid");
        var second = await host.InvokeAsync("pid");

        Assert.Equal(first.Body, second.Body);
        Assert.Equal(1, host.Server.Services.GetRequiredService<ExecutionEngine>().InstanceCountOf("pid"));
    }

    [Fact]
    public async Task Invoke_Concurrent_RunsOnSeveralInstancesAtOnce()
    {
        // Each invocation waits until all three are running at the same time: only possible on three instances.
        var barrier = SharedDirectory.Create("barrier-");
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("barrier", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            const fs = require('fs');
            exports.handler = async (event, context) => {
              fs.writeFileSync(`${process.env.BARRIER}/${context.awsRequestId}`, '');
              while (fs.readdirSync(process.env.BARRIER).length < 3) { await new Promise(r => setTimeout(r, 10)); }
              return process.pid;
            };
            """)), timeout: 60, environment: new() { ["BARRIER"] = barrier });

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => host.InvokeAsync("barrier")));

        Assert.All(results, r => Assert.Null(r.FunctionError));
        Assert.Equal(3, results.Select(r => r.Body).Distinct().Count());
        Directory.Delete(barrier, recursive: true);
    }

    [Fact]
    public async Task Invoke_CpuBoundFunctionOnSaturatedCores_StaysAtOneInstancePerCore()
    {
        await using var host = await StratusHost.StartAsync();
        var engine = Saturate(host);
        await host.CreateFunctionAsync("spin", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async () => {
              const end = Date.now() + 15;
              while (Date.now() < end) { }
              return process.pid;
            };
            """)), timeout: 60);
        // Measured first: these invocations spend their time on a core.
        for (var i = 0; i < 8; i++)
        {
            Assert.Null((await host.InvokeAsync("spin")).FunctionError);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 6 * Environment.ProcessorCount).Select(_ => host.InvokeAsync("spin")));

        Assert.All(results, r => Assert.Null(r.FunctionError));
        Assert.InRange(results.Select(r => r.Body).Distinct().Count(), 1, Environment.ProcessorCount);
        Assert.InRange(engine.InstanceCountOf("spin"), 1, Environment.ProcessorCount);
    }

    [Fact]
    public async Task Invoke_MoreInstancesThanCoresOnceMeasuredCpuBound_AreTrimmedToOnePerCore()
    {
        await using var host = await StratusHost.StartAsync();
        var engine = Saturate(host);
        await host.CreateFunctionAsync("spin-many", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event) => {
              const end = Date.now() + (event.wait ? 300 : 15);
              if (event.wait) { await new Promise(r => setTimeout(r, 300)); return process.pid; }
              while (Date.now() < end) { }
              return process.pid;
            };
            """)), timeout: 60);
        // Nothing measured yet and every invocation waiting: one instance for each.
        var wide = Enumerable.Range(0, Environment.ProcessorCount + 2).Select(_ => host.InvokeAsync("spin-many", """{"wait":true}""")).ToList();
        await Task.WhenAll(wide);
        Assert.True(engine.InstanceCountOf("spin-many") > Environment.ProcessorCount);

        // Then CPU-bound work: once measured, the instances beyond one per core stop as they finish.
        for (var round = 0; round < 40 && engine.InstanceCountOf("spin-many") > Environment.ProcessorCount; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 4 * Environment.ProcessorCount).Select(_ => host.InvokeAsync("spin-many")));
            Assert.All(results, r => Assert.Null(r.FunctionError));
        }

        Assert.InRange(engine.InstanceCountOf("spin-many"), 1, Environment.ProcessorCount);
    }

    [Fact]
    public async Task Invoke_WaitingFunctionOnSaturatedCores_StillScalesBeyondTheCores()
    {
        // Each invocation waits (no CPU) until all of them run at once: only possible on as many instances.
        var barrier = SharedDirectory.Create("barrier-");
        var concurrent = Environment.ProcessorCount + 1;
        await using var host = await StratusHost.StartAsync();
        var engine = Saturate(host);
        await host.CreateFunctionAsync("waits", "nodejs20.x", "index.handler", Zips.Create(("index.js", $$"""
            const fs = require('fs');
            exports.handler = async (event, context) => {
              if (!event.barrier) { await new Promise(r => setTimeout(r, 150)); return 'slept'; }
              fs.writeFileSync(`${process.env.BARRIER}/${context.awsRequestId}`, '');
              while (fs.readdirSync(process.env.BARRIER).length < {{concurrent}}) { await new Promise(r => setTimeout(r, 10)); }
              return process.pid;
            };
            """)), timeout: 60, environment: new() { ["BARRIER"] = barrier });
        // Measured first: these invocations wait, and use next to no CPU.
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal("\"slept\"", (await host.InvokeAsync("waits")).Body);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, concurrent).Select(_ => host.InvokeAsync("waits", """{"barrier":true}""")));

        Assert.All(results, r => Assert.Null(r.FunctionError));
        Assert.Equal(concurrent, results.Select(r => r.Body).Distinct().Count());
        Directory.Delete(barrier, recursive: true);
    }

    /// <summary>The host's engine, made to see every core busy.</summary>
    private static ExecutionEngine Saturate(StratusHost host)
    {
        var engine = host.Server.Services.GetRequiredService<ExecutionEngine>();
        engine.Cpu = SaturatedCores();
        return engine;
    }

    /// <summary>Cores that read as all busy from the second sample on (the first has nothing to compare with).</summary>
    private static CpuSaturation SaturatedCores()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        long ticks = 0;
        var cores = new CpuSaturation(time, () => $"cpu  {ticks += 1000} 0 0 0 0 0 0 0\ncpu0 0 0 0 0\n");
        Assert.False(cores.Saturated);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(cores.Saturated);
        return cores;
    }

    [Fact]
    public async Task Invoke_200ConcurrentAgainstAColdFunction_AllSucceed()
    {
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("burst", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event) => {
              await new Promise((r) => setTimeout(r, 20));
              return event.n;
            };
            """)), timeout: 60);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(n => host.InvokeAsync("burst", $$"""{"n":{{n}}}""")));

        Assert.All(results, r => Assert.Equal(200, r.Status));
        Assert.All(results, r => Assert.Null(r.FunctionError));
        Assert.Equal(Enumerable.Range(0, 200).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), results.Select(r => r.Body));
    }

    [Fact]
    public async Task MemoryBudget_Spent_EvictsTheLeastRecentlyUsedIdleInstanceThenRefuses()
    {
        await using var host = await StratusHost.StartAsync(o => o.MemoryBudgetMb = 300);
        foreach (var name in new[] { "first", "second", "third" })
        {
            await host.CreateFunctionAsync(name, "nodejs20.x", "index.handler", Zips.NodeEcho(), memory: 128);
        }

        await host.CreateFunctionAsync("too-big", "nodejs20.x", "index.handler", Zips.NodeEcho(), memory: 512);
        var engine = host.Server.Services.GetRequiredService<ExecutionEngine>();

        await host.InvokeAsync("first");
        await host.InvokeAsync("second");
        // 3 x 128 MB is over 300 MB: "first", idle the longest, makes room.
        var third = await host.InvokeAsync("third");
        var tooBig = await host.InvokeAsync("too-big");

        Assert.Equal(200, third.Status);
        Assert.Equal(0, engine.InstanceCountOf("first"));
        Assert.Equal(1, engine.InstanceCountOf("second"));
        Assert.Equal(1, engine.InstanceCountOf("third"));
        Assert.Equal(429, tooBig.Status);
        Assert.Equal("TooManyRequestsException", tooBig.ErrorType);
        Assert.Contains("No memory left on this node", (string)tooBig.Json["Message"]!);
    }

    [Fact]
    public async Task BurstRate_Spent_QueuesInvocationsOnTheInstancesThereAre()
    {
        await using var host = await StratusHost.StartAsync(o => o.BurstInstances = 1);
        await host.CreateFunctionAsync("slow-burst", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async () => { await new Promise((r) => setTimeout(r, 200)); return process.pid; };
            """)), timeout: 30);
        var engine = host.Server.Services.GetRequiredService<ExecutionEngine>();

        // Unlimited, three queued invocations would get a second instance (one per core).
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => host.InvokeAsync("slow-burst")));

        Assert.All(results, r => Assert.Equal(200, r.Status));
        Assert.Single(results.Select(r => r.Body).Distinct());
        Assert.Equal(1, engine.InstanceCountOf("slow-burst"));
    }

    [Fact]
    public async Task Instances_IdleLongerThanKeepAlive_AreReclaimedAndTheirProcessesStop()
    {
        await using var host = await StratusHost.StartAsync(options => options.KeepAlive = TimeSpan.Zero);
        await host.CreateFunctionAsync("short-lived", "nodejs20.x", "index.handler", Zips.Create(("index.js", "exports.handler = async () => process.pid;")));
        var engine = host.Server.Services.GetRequiredService<ExecutionEngine>();

        var pid = int.Parse((await host.InvokeAsync("short-lived")).Body, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(await Processes.WaitGoneAsync(pid), "the idle instance's process is still running");
        var again = await host.InvokeAsync("short-lived");
        Assert.NotEqual(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), again.Body);
        Assert.True(engine.InstanceCountOf("short-lived") <= 1);
    }

    [Fact]
    public async Task Invoke_AtConcurrencyLimit_ThrottlesWithTooManyRequests()
    {
        await using var host = await StratusHost.StartAsync(options => options.ConcurrencyLimit = 1);
        var gate = SharedDirectory.Create("gate-");
        await CreateHoldFunctionAsync(host, gate);
        await host.CreateFunctionAsync("other", "nodejs20.x", "index.handler", Zips.NodeEcho());

        var holding = await StartHoldingAsync(host, gate);

        var throttled = await host.InvokeAsync("other");
        await File.WriteAllTextAsync(Path.Combine(gate, "release"), "");

        Assert.Equal(429, throttled.Status);
        Assert.Equal("TooManyRequestsException", throttled.ErrorType);
        Assert.Equal("ConcurrentInvocationLimitExceeded", (string)throttled.Json["Reason"]!);
        Assert.Equal("\"held\"", (await holding).Body);
        Directory.Delete(gate, recursive: true);
    }

    [Fact]
    public async Task EventInvoke_AtConcurrencyLimit_IsAcceptedAndRunsOnceCapacityFrees()
    {
        await using var host = await StratusHost.StartAsync(options => options.ConcurrencyLimit = 1);
        var gate = SharedDirectory.Create("event-gate-");
        await CreateHoldFunctionAsync(host, gate);
        await host.CreateFunctionAsync("later", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event) => { require('fs').writeFileSync(event.marker, 'ran'); return null; };
            """)));
        var marker = Path.Combine(gate, "later-ran");

        var attempts = new AsyncAttempts(host);
        var holding = await StartHoldingAsync(host, gate);

        var accepted = await host.InvokeAsync("later", $$"""{"marker":"{{marker}}"}""", type: "Event");
        var whileFull = await attempts.NextAsync("later");
        var ranWhileFull = File.Exists(marker);
        await File.WriteAllTextAsync(Path.Combine(gate, "release"), "");
        await holding;
        // A throttled event waits in the durable queue and is retried with backoff until it runs.
        var last = whileFull;
        while (last.Outcome == Stratus.Invocation.AsyncAttempt.Throttled)
        {
            last = await attempts.NextAsync("later");
        }

        Assert.Equal(202, accepted.Status);
        Assert.Equal(Stratus.Invocation.AsyncAttempt.Throttled, whileFull.Outcome);
        Assert.Equal(Stratus.Invocation.AsyncAttempt.Succeeded, last.Outcome);
        Assert.False(ranWhileFull);
        Assert.Equal("ran", await File.ReadAllTextAsync(marker));
        Directory.Delete(gate, recursive: true);
    }

    [Fact]
    public async Task Shutdown_WithInvocationInFlight_LetsItFinishAndStopsEveryProcess()
    {
        var gate = SharedDirectory.Create("stop-");
        var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("slow", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            const fs = require('fs');
            exports.handler = async () => {
              fs.writeFileSync(process.env.GATE + '/pid', String(process.pid));
              await new Promise(r => setTimeout(r, 300));
              return 'finished';
            };
            """)), environment: new() { ["GATE"] = gate });
        var pidFile = Path.Combine(gate, "pid");

        var inFlight = host.InvokeAsync("slow");
        while (!File.Exists(pidFile) || (await File.ReadAllTextAsync(pidFile)).Length == 0)
        {
            await Task.Yield();
        }

        var pid = int.Parse(await File.ReadAllTextAsync(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        await host.Server.DisposeAsync();

        Assert.Equal("\"finished\"", (await inFlight).Body);
        Assert.False(Processes.IsAlive(pid), "an instance process outlived the server");
        Directory.Delete(gate, recursive: true);
    }

    /// <summary>A function that runs until the test writes <c>release</c> into the gate directory.</summary>
    private static Task<System.Text.Json.Nodes.JsonNode> CreateHoldFunctionAsync(StratusHost host, string gate) =>
        host.CreateFunctionAsync("hold", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            const fs = require('fs');
            exports.handler = async () => {
              fs.writeFileSync(process.env.GATE + '/running', '');
              while (!fs.existsSync(process.env.GATE + '/release')) { await new Promise(r => setTimeout(r, 10)); }
              return 'held';
            };
            """)), timeout: 60, environment: new() { ["GATE"] = gate });

    /// <summary>Invokes the hold function and returns once it is running (its invocation still open).</summary>
    private static async Task<Task<InvokeResult>> StartHoldingAsync(StratusHost host, string gate)
    {
        var holding = host.InvokeAsync("hold");
        while (!File.Exists(Path.Combine(gate, "running")))
        {
            await Task.Yield();
        }

        return holding;
    }
}
