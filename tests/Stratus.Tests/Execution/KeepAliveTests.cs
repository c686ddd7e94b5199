using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stratus.Execution;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>The engine acting on each function's keep-alive policy, on a clock the test moves.</summary>
public sealed class KeepAliveTests
{
    private static readonly TimeSpan FixedKeepAlive = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 6, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task PeriodicFunction_OnceItsIdleTimesAreKnown_IsUnloadedAfterEachInvocationAndPreWarmedBeforeTheNext()
    {
        await using var host = await StratusHost.StartAsync(o => o.KeepAlive = FixedKeepAlive, time: _time);
        await host.CreateFunctionAsync("periodic", "nodejs20.x", "index.handler", Zips.Create(("index.js", "exports.handler = async () => process.pid;")));
        var engine = host.Server.Services.GetRequiredService<ExecutionEngine>();
        var preWarmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.PreWarmed += name =>
        {
            if (name == "periodic")
            {
                preWarmed.TrySetResult();
            }
        };

        // Every 5 minutes: the fixed keep-alive keeps the instance warm while the idle times are learnt.
        var pid = await LearnPeriodicAsync(host, "periodic");
        var learnt = await StatsAsync(host, "periodic");

        // With the idle times known, the instance goes as soon as the reaper sees it idle...
        _time.Advance(TimeSpan.FromSeconds(1));
        var instancesAfterInvocation = engine.InstanceCountOf("periodic");
        var processGone = await Processes.WaitGoneAsync(int.Parse(pid, CultureInfo.InvariantCulture));

        // ...and one starts at 4 min 30 s of idle time (the 5-minute bin less 10 %), ahead of the next invocation.
        _time.Advance(TimeSpan.FromMinutes(4.5) - TimeSpan.FromSeconds(1));
        await preWarmed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _time.Advance(Period - TimeSpan.FromMinutes(4.5));
        var next = await host.InvokeAsync("periodic", tail: true);
        var stats = await StatsAsync(host, "periodic");

        Assert.Equal("histogram", (string)learnt["KeepAlive"]!["Policy"]!);
        Assert.Equal(270, (double)learnt["KeepAlive"]!["PreWarmSeconds"]!);
        Assert.Equal(KeepAlivePolicy.MinimumIdleTimes, (int)learnt["KeepAlive"]!["IdleTimes"]!);
        Assert.Equal(0, instancesAfterInvocation);
        Assert.True(processGone, "the idle instance's process is still running");
        Assert.Equal(200, next.Status);
        Assert.NotEqual(pid, next.Body);
        Assert.DoesNotContain("Init Duration", next.Log);
        Assert.Equal(1, (int)stats["ColdStarts"]!);
        Assert.Equal(KeepAlivePolicy.MinimumIdleTimes + 1, (int)stats["WarmStarts"]!);
        Assert.Equal(1, (int)stats["PreWarms"]!);
    }

    [Fact]
    public async Task FunctionWithTooFewIdleTimes_KeepsItsInstanceForTheFixedKeepAlive()
    {
        await using var host = await StratusHost.StartAsync(o => o.KeepAlive = FixedKeepAlive, time: _time);
        await host.CreateFunctionAsync("young", "nodejs20.x", "index.handler", Zips.NodeEcho());
        var engine = host.Server.Services.GetRequiredService<ExecutionEngine>();

        await host.InvokeAsync("young");
        _time.Advance(Period);
        await host.InvokeAsync("young");
        _time.Advance(FixedKeepAlive - TimeSpan.FromSeconds(1));
        var beforeKeepAliveEnds = engine.InstanceCountOf("young");
        var stats = await StatsAsync(host, "young");
        _time.Advance(TimeSpan.FromSeconds(1));
        var afterKeepAliveEnds = engine.InstanceCountOf("young");

        Assert.Equal(1, beforeKeepAliveEnds);
        Assert.Equal(0, afterKeepAliveEnds);
        Assert.Equal("fixed", (string)stats["KeepAlive"]!["Policy"]!);
        Assert.Equal(KeepAlivePolicy.TooFewIdleTimes, (string)stats["KeepAlive"]!["Reason"]!);
        Assert.Equal(FixedKeepAlive.TotalSeconds, (double)stats["KeepAlive"]!["KeepAliveSeconds"]!);
        Assert.Equal(1, (int)stats["KeepAlive"]!["IdleTimes"]!);
        Assert.Equal(0, (int)stats["PreWarms"]!);
    }

    [Fact]
    public async Task PreWarm_NoMemoryFree_StopsNoOtherInstanceForIt()
    {
        await using var host = await StratusHost.StartAsync(o => (o.KeepAlive, o.MemoryBudgetMb) = (FixedKeepAlive, 300), time: _time);
        await host.CreateFunctionAsync("periodic", "nodejs20.x", "index.handler", Zips.NodeEcho(), memory: 128);
        await host.CreateFunctionAsync("big", "nodejs20.x", "index.handler", Zips.NodeEcho(), memory: 256);
        var engine = host.Server.Services.GetRequiredService<ExecutionEngine>();
        await LearnPeriodicAsync(host, "periodic");
        _time.Advance(TimeSpan.FromSeconds(1));

        // "big" takes the memory "periodic" gave back; when the pre-warm is due, 128 MB more would not fit.
        await host.InvokeAsync("big");
        _time.Advance(TimeSpan.FromMinutes(4.5));
        var stats = await StatsAsync(host, "periodic");

        Assert.Equal(1, engine.InstanceCountOf("big"));
        Assert.Equal(0, engine.InstanceCountOf("periodic"));
        Assert.Equal(0, (int)stats["PreWarms"]!);
        Assert.Equal(270, (double)stats["KeepAlive"]!["PreWarmSeconds"]!);
    }

    /// <summary>Invokes every 5 minutes until the policy has its idle times; returns the last answer (the instance's pid).</summary>
    private async Task<string> LearnPeriodicAsync(StratusHost host, string function)
    {
        var body = "";
        for (var i = 0; i <= KeepAlivePolicy.MinimumIdleTimes; i++)
        {
            if (i > 0)
            {
                _time.Advance(Period);
            }

            var result = await host.InvokeAsync(function);
            Assert.Equal(200, result.Status);
            body = result.Body;
        }

        return body;
    }

    private static async Task<JsonNode> StatsAsync(StratusHost host, string function) =>
        JsonNode.Parse(await host.Http.GetStringAsync($"/stratus/v1/functions/{function}/stats"))!;
}
