using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>The per-function option to run with no network access at all.</summary>
public sealed class NetworkTests : IAsyncLifetime
{
    private const string Probe = """
        const net = require('net');
        const os = require('os');
        const connect = (port, host) => new Promise((resolve) => {
          const socket = net.connect({ port, host, timeout: 2000 }, () => { socket.destroy(); resolve('connected'); });
          socket.on('error', (e) => resolve(e.code));
          socket.on('timeout', () => { socket.destroy(); resolve('timeout'); });
        });
        exports.handler = async (event) => ({
          interfaces: Object.keys(os.networkInterfaces()).sort(),
          server: await connect(event.port, '127.0.0.1'),
          outside: await connect(80, '192.0.2.1'),
          writeCode: (() => { try { require('fs').writeFileSync('/var/task/x', 'x'); return 'written'; } catch (e) { return e.code; } })(),
        });
        """;

    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task NetworkOff_Instance_ReachesNothingButItsOwnLoopback()
    {
        var code = Zips.Create(("index.js", Probe));
        await _host.CreateFunctionAsync("offline", "nodejs20.x", "index.handler", code, timeout: 10);
        await _host.CreateFunctionAsync("online", "nodejs20.x", "index.handler", code, timeout: 10);
        var port = new JsonObject { ["port"] = _host.Address.Port }.ToJsonString();

        var set = await PutNetworkAsync("offline", false);
        var offline = await _host.InvokeAsync("offline", port);
        var online = await _host.InvokeAsync("online", port);
        var shown = JsonNode.Parse(await _host.Http.GetStringAsync("/stratus/v1/functions/offline/network"))!;

        Assert.False((bool)set["NetworkAccess"]!);
        Assert.False((bool)shown["NetworkAccess"]!);
        Assert.Equal(_host.NetworkIsolated, (bool)shown["Enforced"]!);
        Assert.True(offline.FunctionError is null, offline.Body);
        Assert.Equal("connected", (string)online.Json["server"]!);
        if (_host.NetworkIsolated)
        {
            Assert.True(offline.Json["interfaces"]!.AsArray().Select(n => (string)n!).SequenceEqual(["lo"]), offline.Body);
            Assert.Equal("ECONNREFUSED", (string)offline.Json["server"]!);
            Assert.Equal("ENETUNREACH", (string)offline.Json["outside"]!);
            // Its slot was started for it, so its code may arrive before or after the slot binds /var/task.
            Assert.Equal("EROFS", (string)offline.Json["writeCode"]!);
        }
    }

    [Fact]
    public async Task NetworkOff_CustomRuntimeOverTcp_StillReachesItsRuntimeApiAndCanBeTurnedBackOn()
    {
        // A custom runtime speaks to AWS_LAMBDA_RUNTIME_API over loopback TCP, inside its own namespace.
        const string Bootstrap = """
            #!/bin/bash
            set -euo pipefail
            while true; do
              HEADERS="$(mktemp)"
              EVENT=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
              ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
              LINKS=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')
              curl -sS -o /dev/null -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$ID/response" -d "\"$LINKS\""
            done
            """;
        await _host.CreateFunctionAsync("offline-custom", "provided.al2023", "unused.handler", Zips.Create(("bootstrap", Bootstrap, (UnixFileMode?)Zips.Executable)));

        await PutNetworkAsync("offline-custom", false);
        var offline = await _host.InvokeAsync("offline-custom", tail: true);
        await PutNetworkAsync("offline-custom", true);
        var online = await _host.InvokeAsync("offline-custom", tail: true);

        Assert.True(offline.FunctionError is null, offline.Body + offline.Log);
        Assert.True(online.FunctionError is null, online.Body + online.Log);
        if (_host.NetworkIsolated)
        {
            Assert.Equal("\"lo \"", offline.Body);
            Assert.NotEqual("\"lo \"", online.Body);
        }
    }

    [Fact]
    public async Task PutNetwork_WithoutASetting_IsRefusedAndChangesNothing()
    {
        await _host.CreateFunctionAsync("unchanged", "nodejs20.x", "index.handler", Zips.NodeEcho());

        using var refused = await _host.Http.PutAsJsonAsync("/stratus/v1/functions/unchanged/network", new JsonObject());
        var missing = await _host.Http.GetAsync("/stratus/v1/functions/nope/network");
        var shown = JsonNode.Parse(await _host.Http.GetStringAsync("/stratus/v1/functions/unchanged/network"))!;

        Assert.Equal(400, (int)refused.StatusCode);
        Assert.Contains("NetworkAccess must be true or false", await refused.Content.ReadAsStringAsync());
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.True((bool)shown["NetworkAccess"]!);
    }

    private async Task<JsonNode> PutNetworkAsync(string function, bool access)
    {
        using var response = await _host.Http.PutAsJsonAsync($"/stratus/v1/functions/{function}/network", new JsonObject { ["NetworkAccess"] = access });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
