using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>Cold starts served by standby runtimes: node and python processes booted ahead of time.</summary>
public sealed class StandbyRuntimeTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ColdStart_NodeFromStandby_HasExactlyLambdasEnvironmentItsOwnCodeAndUser()
    {
        await _host.WaitForStandbyAsync("node");
        var code = Zips.Create(("index.js", """
            const fs = require('fs');
            exports.handler = async () => ({
              env: Object.keys(process.env).sort(),
              greeting: process.env.GREETING,
              cwd: process.cwd(),
              taskRoot: process.env.LAMBDA_TASK_ROOT,
              ownCode: fs.existsSync(process.env.LAMBDA_TASK_ROOT + '/index.js'),
              uid: process.getuid(),
              cpuWeight: cpuWeight(),
              traceId: process.env._X_AMZN_TRACE_ID,
            });
            // A standby boots with the lowest CPU weight; as an instance it has the ordinary one.
            function cpuWeight() {
              for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
                const [, controllers, path] = line.split(':');
                if (controllers === undefined) continue;
                if (controllers.split(',').includes('cpu')) return fs.readFileSync(`/sys/fs/cgroup/${controllers}${path}/cpu.shares`, 'utf8').trim();
                if (controllers === '' && fs.existsSync(`/sys/fs/cgroup${path}/cpu.weight`)) return fs.readFileSync(`/sys/fs/cgroup${path}/cpu.weight`, 'utf8').trim();
              }
              return 'none';
            }
            """));
        await _host.CreateFunctionAsync("standby-node", "nodejs20.x", "index.handler", code, environment: new() { ["GREETING"] = "hi" });

        var result = await _host.InvokeAsync("standby-node", tail: true);
        var stats = await StatsAsync("standby-node");

        Assert.Null(result.FunctionError);
        var body = result.Json;
        Assert.Equal(1, (int)stats["ColdStartsFromStandby"]!);
        Assert.Contains("Init Duration", result.Log);
        Assert.Matches(@"Max Memory Used: [1-9]\d* MB", result.Log);
        Assert.Equal(
            ["AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
             "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION",
             "GREETING", "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT", "LANG", "LD_LIBRARY_PATH", "PATH", "TZ", "_HANDLER", "_X_AMZN_TRACE_ID"],
            body["env"]!.AsArray().Select(n => (string)n!).Order(StringComparer.Ordinal));
        Assert.Equal("hi", (string)body["greeting"]!);
        Assert.Equal((string)body["taskRoot"]!, (string)body["cwd"]!);
        Assert.True((bool)body["ownCode"]!);
        Assert.Matches("^(1024|100|none)$", (string)body["cpuWeight"]!);
        Assert.DoesNotContain("00000000-000000000000000000000000", (string)body["traceId"]!); // nothing left of the warm-up's rehearsal
        if (_host.Isolated)
        {
            Assert.Equal("/var/task", (string)body["cwd"]!);
            Assert.True((int)body["uid"]! >= 2_000_000, "a standby runtime runs as its instance's unprivileged user");
        }
    }

    [Fact]
    public async Task ColdStart_PythonFromStandby_ServesTheFunction()
    {
        await _host.WaitForStandbyAsync("python");
        var code = Zips.Create(("app.py", """
            import os
            def handler(event, context):
                return {"n": event["n"] + 1, "name": context.function_name, "cwd": os.getcwd() == os.environ["LAMBDA_TASK_ROOT"],
                        "unbuffered": os.environ.get("PYTHONUNBUFFERED")}
            """));
        await _host.CreateFunctionAsync("standby-py", "python3.12", "app.handler", code);

        var result = await _host.InvokeAsync("standby-py", """{"n":1}""");
        var stats = await StatsAsync("standby-py");

        Assert.Null(result.FunctionError);
        Assert.Equal("""{"n": 2, "name": "standby-py", "cwd": true, "unbuffered": "1"}""", result.Body);
        Assert.Equal(1, (int)stats["ColdStartsFromStandby"]!);
    }

    [Fact]
    public async Task ColdStart_WithNodeOptions_BootsAFreshProcessThatHonoursThem()
    {
        // NODE_OPTIONS is read only while node boots: a standby runtime cannot honour it.
        await _host.WaitForStandbyAsync("node");
        var code = Zips.Create(("index.js", "exports.handler = async () => require('http').maxHeaderSize;"));
        await _host.CreateFunctionAsync("node-options", "nodejs20.x", "index.handler", code, environment: new() { ["NODE_OPTIONS"] = "--max-http-header-size=12345" });

        var result = await _host.InvokeAsync("node-options");
        var stats = await StatsAsync("node-options");

        Assert.Equal("12345", result.Body);
        Assert.Equal(1, (int)stats["ColdStarts"]!);
        Assert.Equal(0, (int)stats["ColdStartsFromStandby"]!);
    }

    [Fact]
    public async Task StandbyRuntimes_TakenForAColdStart_AreReplaced()
    {
        await _host.WaitForStandbyAsync("node", 2);
        await _host.CreateFunctionAsync("replaced", "nodejs20.x", "index.handler", Zips.NodeEcho());

        Assert.Null((await _host.InvokeAsync("replaced")).FunctionError);
        await _host.WaitForStandbyAsync("node", 2);
        var engine = JsonNode.Parse(await _host.Http.GetStringAsync("/stratus/v1/engine"))!;

        Assert.Equal(1, (int)(await StatsAsync("replaced"))["ColdStartsFromStandby"]!);
        Assert.Equal(1, (int)engine["Instances"]!);
    }

    [Fact]
    public async Task StandbyRuntime_StillBooting_IsNotShownReady()
    {
        // The runtimes shipped with Stratus, the node bootstrap held before its boot until the test
        // writes to a pipe beside it.
        using var directory = new TempDirectory("stratus-runtimes-");
        var runtimes = directory.Path;
        foreach (var family in (string[])["nodejs", "python"])
        {
            DirectoryCopy.Copy(Path.Combine(AppContext.BaseDirectory, "runtimes", family), Path.Combine(runtimes, family));
        }

        var node = Path.Combine(runtimes, "nodejs");
        File.Move(Path.Combine(node, "bootstrap.mjs"), Path.Combine(node, "held.mjs"));
        File.WriteAllText(Path.Combine(node, "bootstrap.mjs"), """
            import { readFileSync } from 'node:fs';
            if (process.argv[2] === '--standby') readFileSync(new URL('./gate', import.meta.url));
            await import('./held.mjs');
            """);
        var gate = Path.Combine(node, "gate");
        Assert.Equal(0, (await ExternalTool.RunAsync("mkfifo", ["-m", "666", gate])).ExitCode);
        // Isolated, the standby runs as a user of its own.
        File.SetUnixFileMode(runtimes, (UnixFileMode)0b111_101_101);

        await using var host = await StratusHost.StartAsync(o =>
        {
            o.StandbyRuntimes = 1;
            o.RuntimesDirectory = runtimes;
        });

        // Opening the pipe to write waits until the standby opened it to read: started, not booted.
        await using (var writer = await Task.Run(() => new FileStream(gate, FileMode.Open, FileAccess.Write)).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            var engine = JsonNode.Parse(await host.Http.GetStringAsync("/stratus/v1/engine"))!;
            Assert.Equal(0, (int)engine["StandbyRuntimes"]!["node"]!);
        }

        await host.WaitForStandbyAsync("node");
        await host.CreateFunctionAsync("after-boot", "nodejs20.x", "index.handler", Zips.NodeEcho());
        Assert.Null((await host.InvokeAsync("after-boot")).FunctionError);
        Assert.Equal(1, (int)JsonNode.Parse(await host.Http.GetStringAsync("/stratus/v1/functions/after-boot/stats"))!["ColdStartsFromStandby"]!);
    }

    private async Task<JsonNode> StatsAsync(string function) =>
        JsonNode.Parse(await _host.Http.GetStringAsync($"/stratus/v1/functions/{function}/stats"))!;
}
