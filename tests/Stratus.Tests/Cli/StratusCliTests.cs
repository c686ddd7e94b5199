using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Cli;

/// <summary>Runs the real <c>stratus</c> binary against a real server, as a user or a script would.</summary>
public sealed class StratusCliTests : IAsyncLifetime
{
    private StratusHost _host = null!;
    private string _work = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync();
        _work = Directory.CreateTempSubdirectory("stratus-cli-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task DeployInvokeListLogsRemove_WorkAsAUserExpects()
    {
        var source = Path.Combine(_work, "greeter");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "index.js"), "exports.handler = async (e) => { console.log('greeting', e.name); return `hello ${e.name} ${process.env.STYLE ?? ''}`.trim(); };");

        var deployed = await StratusAsync("deploy", source, "--runtime", "nodejs20.x", "--handler", "index.handler");
        var invoked = await StratusAsync("invoke", "greeter", "--payload", """{"name":"ada"}""", "--log");
        await File.WriteAllTextAsync(Path.Combine(source, "index.js"), "exports.handler = async (e) => `v2 ${e.name} ${process.env.STYLE}`;");
        var redeployed = await StratusAsync("deploy", source, "--env", "STYLE=warm");
        var second = await StratusAsync("invoke", "greeter", "--payload", """{"name":"bob"}""");
        var listed = await StratusAsync("ls", "--json");
        var table = await StratusAsync("ls");
        var logs = await StratusAsync("logs", "greeter", "--limit", "5");
        var removed = await StratusAsync("rm", "greeter");
        var afterRemove = await StratusAsync("invoke", "greeter");

        Assert.Equal(0, deployed.ExitCode);
        Assert.Contains("Deployed greeter", deployed.Stdout);
        Assert.Equal(0, invoked.ExitCode);
        Assert.Equal("\"hello ada\"", invoked.Stdout.Trim());
        Assert.Contains("greeting ada", invoked.Stderr);
        Assert.Contains("REPORT RequestId:", invoked.Stderr);
        Assert.Equal(0, redeployed.ExitCode);
        Assert.Equal("\"v2 bob warm\"", second.Stdout.Trim());
        Assert.Equal("greeter", (string)JsonNode.Parse(listed.Stdout)![0]!["FunctionName"]!);
        Assert.Contains("nodejs20.x", table.Stdout);
        Assert.Contains("greeting ada", logs.Stdout);
        Assert.Contains("END RequestId:", logs.Stdout);
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal(1, afterRemove.ExitCode);
        Assert.Contains("ResourceNotFoundException", afterRemove.Stderr);
    }

    [Fact]
    public async Task ReleaseAndRollback_MoveTheAliasAsTheirOutputSays()
    {
        var source = Path.Combine(_work, "shop");
        Directory.CreateDirectory(source);
        async Task DeployAsync(string answer)
        {
            await File.WriteAllTextAsync(Path.Combine(source, "index.js"), $"exports.handler = async () => '{answer}';");
            Assert.Equal(0, (await StratusAsync("deploy", source, "--runtime", "nodejs20.x", "--handler", "index.handler")).ExitCode);
        }

        await DeployAsync("one");
        var first = await StratusAsync("release", "shop");
        await DeployAsync("two");
        var canary = await StratusAsync("release", "shop", "--weight", "10");
        var canaryAlias = JsonNode.Parse(await _host.Http.GetStringAsync("/2015-03-31/functions/shop/aliases/live"))!;
        var promoted = await StratusAsync("release", "shop", "--promote");
        var afterPromote = await _host.InvokeAsync("shop:live");
        var rolledBack = await StratusAsync("rollback", "shop");
        var afterRollback = await _host.InvokeAsync("shop:live");
        var nothingBefore = await StratusAsync("rollback", "shop");
        var noAlias = await StratusAsync("rollback", "shop", "--alias", "beta");

        Assert.Equal("Published version 1; created alias live for it.", first.Stdout.Trim());
        Assert.Equal("Published version 2; alias live: version 1 90%, version 2 10%.", canary.Stdout.Trim());
        Assert.Equal("1", (string?)canaryAlias["FunctionVersion"]);
        Assert.Equal(0.1, (double)canaryAlias["RoutingConfig"]!["AdditionalVersionWeights"]!["2"]!);
        Assert.Equal("Promoted version 2: alias live now runs it for all invocations.", promoted.Stdout.Trim());
        Assert.Equal(("\"two\"", "2"), (afterPromote.Body, afterPromote.ExecutedVersion));
        Assert.Equal("Rolled back: alias live moved from version 2 to 1.", rolledBack.Stdout.Trim());
        Assert.Equal(("\"one\"", "1"), (afterRollback.Body, afterRollback.ExecutedVersion));
        Assert.Equal(2, nothingBefore.ExitCode);
        Assert.Contains("no earlier version", nothingBefore.Stderr);
        Assert.Equal(2, noAlias.ExitCode);
        Assert.Contains("Alias beta does not exist", noAlias.Stderr);
    }

    [Fact]
    public async Task Doctor_SaysWhatThisMachineEnforces()
    {
        var json = await StratusAsync("doctor", "--json");
        var table = await StratusAsync("doctor");

        Assert.Equal(0, json.ExitCode);
        var controls = JsonNode.Parse(json.Stdout)!["controls"]!;
        // This machine (and CI's) runs cgroup v1 as root: everything is enforced.
        Assert.StartsWith("cgroup v1 under /sys/fs/cgroup/memory", (string)controls["memory limit (MemorySize)"]!);
        Assert.StartsWith("cgroup v1 under /sys/fs/cgroup/cpu", (string)controls["CPU share (1769 MB = 1 vCPU)"]!);
        Assert.StartsWith("cgroup v1 under /sys/fs/cgroup/pids", (string)controls["process limit (1024)"]!);
        Assert.StartsWith("user of its own", (string)controls["own user, no capabilities"]!);
        Assert.StartsWith(Environment.ProcessorCount > 1 ? "spread over CPUs 0," : "none", (string)controls["placement on cores (1769 MB = 1 core)"]!);
        Assert.Empty(JsonNode.Parse(json.Stdout)!["problems"]!.AsArray());
        Assert.Contains("ENFORCED BY", table.Stdout);
    }

    [Fact]
    public async Task ExitCodes_TellScriptsWhatHappened()
    {
        var zip = Path.Combine(_work, "fails.zip");
        await File.WriteAllBytesAsync(zip, Zips.Create(("index.js", "exports.handler = async () => { throw new Error('nope'); };")));

        var created = await StratusAsync("deploy", zip, "--runtime", "nodejs20.x", "--handler", "index.handler", "--json");
        var failed = await StratusAsync("invoke", "fails");
        var usage = await StratusAsync("invoke");
        var unreachable = await RunAsync(["ls", "--endpoint", "http://127.0.0.1:1"]);
        var noRuntime = await StratusAsync("deploy", zip, "--name", "brand-new");

        Assert.Equal(0, created.ExitCode);
        Assert.Equal("fails", (string)JsonNode.Parse(created.Stdout)!["FunctionName"]!);
        Assert.Equal(4, failed.ExitCode);
        Assert.Contains("\"errorMessage\":\"nope\"", failed.Stdout);
        Assert.Equal(2, usage.ExitCode);
        Assert.Equal(3, unreachable.ExitCode);
        Assert.Equal(2, noRuntime.ExitCode);
        Assert.Contains("--runtime", noRuntime.Stderr);
    }

    [Fact]
    public async Task Server_UnknownKeepAlivePolicy_IsAUsageErrorNamingTheChoices()
    {
        var unknown = await RunAsync(["server", "--keep-alive-policy", "lru", "--data", Path.Combine(_work, "data")]);

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("'adaptive'", unknown.Stderr);
        Assert.Contains("'fixed'", unknown.Stderr);
    }

    private Task<ExternalTool.Output> StratusAsync(params string[] args) => RunAsync([.. args, "--endpoint", _host.Endpoint]);

    private static Task<ExternalTool.Output> RunAsync(string[] args) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args], new Dictionary<string, string> { ["NO_COLOR"] = "1", ["COLUMNS"] = "200" });
}
