using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Execution;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>Instances get cores of their own, spread over the machine's.</summary>
public sealed class CpuPlacementTests
{
    // Every thread of the instance: node's own workers must not run elsewhere.
    private const string ReportsItsCores = """
        const fs = require('fs');
        exports.handler = async (event, context) => {
          if (event.barrier) {
            fs.writeFileSync(`${event.barrier}/${context.awsRequestId}`, '');
            while (fs.readdirSync(event.barrier).length < event.count) { await new Promise(r => setTimeout(r, 10)); }
          }
          const lists = fs.readdirSync('/proc/self/task').map(t =>
            fs.readFileSync(`/proc/self/task/${t}/status`, 'utf8').match(/^Cpus_allowed_list:\s*(.*)$/m)[1]);
          return { pid: process.pid, cpus: [...new Set(lists)] };
        };
        """;

    [Fact]
    public void ParseList_ReadsTheKernelsFormat()
    {
        Assert.Equal([0, 1, 2, 3, 8, 10, 11], CpuPlacement.ParseList("0-3,8,10-11\n"));
        Assert.Equal([5], CpuPlacement.ParseList(" 5"));
    }

    [Fact]
    public void Place_SpreadsOneCoreInstancesOverTheCpus()
    {
        var placement = new CpuPlacement([0, 1, 2]);
        var pinned = new List<IReadOnlyList<int>>();

        var leases = Enumerable.Range(0, 5).Select(_ => placement.Place(128, pinned.Add)!).ToList();

        Assert.Equal([[0], [1], [2], [0], [1]], leases.Select(l => l.Cpus.ToArray()));
        Assert.Equal(pinned.Select(p => p.ToArray()), leases.Select(l => l.Cpus.ToArray()));
        Assert.Equal([2, 2, 1], placement.Counts());
    }

    [Fact]
    public void Place_GivesOneCorePer1769MegabytesAndNoPinningToAFunctionAsLargeAsTheMachine()
    {
        var placement = new CpuPlacement([0, 1, 2, 3]);

        var one = placement.Place(1769, _ => { })!;
        var two = placement.Place(1770, _ => { })!;
        var all = placement.Place(4 * 1769, _ => throw new InvalidOperationException("pinned"));

        Assert.Equal([0], one.Cpus);
        Assert.Equal([1, 2], two.Cpus);
        Assert.Null(all);
        Assert.Equal([1, 1, 1, 0], placement.Counts());
    }

    [Fact]
    public void Release_MovesAnInstanceOffTheFullestCoreWhenTheyDifferByTwo()
    {
        var placement = new CpuPlacement([0, 1]);
        var moves = new List<IReadOnlyList<int>>();
        var a = placement.Place(128, _ => { })!; // 0
        var b = placement.Place(128, _ => { })!; // 1
        var c = placement.Place(128, moves.Add)!; // 0
        moves.Clear();

        b.Dispose();

        Assert.Equal([[1]], moves.Select(m => m.ToArray()));
        Assert.Equal([1], c.Cpus);
        Assert.Equal([0], a.Cpus);
        Assert.Equal([1, 1], placement.Counts());

        a.Dispose();
        a.Dispose();
        Assert.Equal([0, 1], placement.Counts());
    }

    [Fact]
    public async Task Instances_RunEachOnCoresOfTheirOwn_EveryThreadOfThem()
    {
        var cpus = CpuPlacement.AllowedCpus();
        var count = Math.Min(cpus.Count, 4);
        var barrier = SharedDirectory.Create("cores-");
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("cores", "nodejs20.x", "index.handler", Zips.Create(("index.js", ReportsItsCores)), timeout: 60, memory: 1769);

        // Cold starts run wherever the kernel puts them; an instance is placed once it has answered.
        await RunTogetherAsync(host, barrier, count);
        var engine = host.Server.Services.GetRequiredService<ExecutionEngine>();
        await WaitPlacedAsync(engine, "cores", cpus.Count > 1 ? 1 : cpus.Count);
        var results = await RunTogetherAsync(host, barrier, count);
        Directory.Delete(barrier, recursive: true);

        var placed = results.Select(r => r.Json).ToList();
        Assert.Equal(count, placed.Select(p => (int)p["pid"]!).Distinct().Count());
        if (cpus.Count == 1)
        {
            // Nothing to spread over: the kernel places the one instance.
            Assert.Equal(CpuList(cpus), (string)placed[0]["cpus"]![0]!);
            return;
        }

        var lists = placed.Select(p => Assert.Single(p["cpus"]!.AsArray())!.GetValue<string>()).ToList();
        Assert.All(lists, l => Assert.Contains(int.Parse(l, System.Globalization.CultureInfo.InvariantCulture), cpus));
        Assert.Equal(count, lists.Distinct().Count());

        // The server threads serving each instance's Runtime API run on its core too.
        foreach (var instance in engine.InstancesOf("cores"))
        {
            var core = CpuPlacement.AffinityOf(instance.ProcessId);
            var threads = instance.Api!.ThreadIds();
            Assert.NotEmpty(threads);
            Assert.All(threads, t => Assert.Equal(core, CpuPlacement.AffinityOf(t)));
        }
    }

    [Fact]
    public async Task Instance_AsLargeAsTheMachine_RunsOnEveryCore()
    {
        var cpus = CpuPlacement.AllowedCpus();
        await using var host = await StratusHost.StartAsync();
        var memory = Math.Min(10240, cpus.Count * CpuPlacement.MegabytesPerCore);
        await host.CreateFunctionAsync("large", "nodejs20.x", "index.handler", Zips.Create(("index.js", ReportsItsCores)), memory: memory);

        var expected = (memory + CpuPlacement.MegabytesPerCore - 1) / CpuPlacement.MegabytesPerCore;
        Assert.Null((await host.InvokeAsync("large")).FunctionError);
        await WaitPlacedAsync(host.Server.Services.GetRequiredService<ExecutionEngine>(), "large", Math.Min(expected, cpus.Count));
        var cores = (await host.InvokeAsync("large")).Json["cpus"]!.AsArray().Select(n => (string)n!).ToList();

        if (expected >= cpus.Count)
        {
            Assert.Equal([CpuList(cpus)], cores);
        }
        else
        {
            Assert.Equal(expected, CpuPlacement.ParseList(Assert.Single(cores)).Count);
        }
    }

    [Fact]
    public async Task Placement_TurnedOff_LeavesInstancesOnEveryCore()
    {
        var cpus = CpuPlacement.AllowedCpus();
        await using var host = await StratusHost.StartAsync(o => o.CpuPlacement = false);
        await host.CreateFunctionAsync("anywhere", "nodejs20.x", "index.handler", Zips.Create(("index.js", ReportsItsCores)));

        Assert.Null((await host.InvokeAsync("anywhere")).FunctionError);
        var cores = (await host.InvokeAsync("anywhere")).Json["cpus"]!.AsArray().Select(n => (string)n!).ToList();

        Assert.Null(host.Server.Services.GetRequiredService<ExecutionEngine>().Placement);
        Assert.Equal([CpuList(cpus)], cores);
    }

    private static async Task<InvokeResult[]> RunTogetherAsync(StratusHost host, string barrier, int count)
    {
        foreach (var file in Directory.GetFiles(barrier))
        {
            File.Delete(file);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
            host.InvokeAsync("cores", new JsonObject { ["barrier"] = barrier, ["count"] = count }.ToJsonString())));
        Assert.All(results, r => Assert.Null(r.FunctionError));
        return results;
    }

    /// <summary>Waits (bounded) until every instance of the function runs on <paramref name="cores"/> CPUs.</summary>
    private static async Task WaitPlacedAsync(ExecutionEngine engine, string function, int cores)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (engine.InstancesOf(function).Any(i => CpuPlacement.AffinityOf(i.ProcessId)?.Count != cores) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>The kernel's list format for a set of CPUs: "0-3,8".</summary>
    private static string CpuList(IReadOnlyList<int> cpus)
    {
        var parts = new List<string>();
        for (var i = 0; i < cpus.Count;)
        {
            var j = i;
            while (j + 1 < cpus.Count && cpus[j + 1] == cpus[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? $"{cpus[i]}" : $"{cpus[i]}-{cpus[j]}");
            i = j + 1;
        }

        return string.Join(',', parts);
    }
}
