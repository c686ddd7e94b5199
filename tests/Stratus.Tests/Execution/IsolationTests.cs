using System.Security.Cryptography;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>What a function cannot do to the platform or to other functions.</summary>
public sealed class IsolationTests : IAsyncLifetime
{
    private const string Probe = """
        const fs = require('fs');
        const net = require('net');
        const code = (f) => { try { f(); return 'ok'; } catch (e) { return e.code; } };
        exports.handler = async (event) => {
          if (event.remember) { fs.writeFileSync('/tmp/secret', event.remember); return process.env.AWS_LAMBDA_RUNTIME_API; }
          const result = {
            uid: process.getuid(),
            gid: process.getgid(),
            database: code(() => fs.readFileSync(event.database)),
            listData: code(() => fs.readdirSync(event.data)),
            listCode: code(() => fs.readdirSync(event.codeRoot)),
            otherCode: code(() => fs.readFileSync(event.otherCode)),
            ownCode: code(() => fs.readFileSync('/var/task/index.js')),
            writeCode: code(() => fs.writeFileSync('/var/task/x', 'x')),
            tmp: fs.readdirSync('/tmp'),
            signalServer: code(() => process.kill(event.serverPid, 0)),
            seesServer: fs.existsSync('/proc/' + event.serverPid),
          };
          if (event.fill) {
            result.fill = code(() => { const mb = Buffer.alloc(1024 * 1024, 1); for (let i = 0; i < 600; i++) fs.appendFileSync('/tmp/fill', mb); });
          }
          if (event.otherApi) {
            const [host, port] = event.otherApi.split(':');
            result.otherApi = await new Promise((resolve) => {
              const socket = net.connect(Number(port), host, () => socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n'));
              let got = '';
              socket.on('data', (d) => { got += d; });
              socket.on('error', (e) => resolve(e.code));
              socket.on('close', () => resolve(got.length ? 'answered' : 'closed'));
            });
          }
          return result;
        };
        """;

    // Outside /tmp: an instance's private /tmp would hide a data directory there anyway, and this
    // test is about permissions.
    private readonly string _data = Path.Combine("/var/tmp", "stratus-tests", Guid.NewGuid().ToString("N"));
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync(dataDirectory: _data);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Instance_CannotReachTheDataDirectoryOtherCodeOtherInstancesOrTheServer(bool fromStandby)
    {
        // Both ways an instance comes to be: a standby runtime given its function, or a fresh process.
        var data = Path.Combine("/var/tmp", "stratus-tests", Guid.NewGuid().ToString("N"));
        var host = await StratusHost.StartAsync(o => o.StandbyRuntimes = fromStandby ? 2 : 0, dataDirectory: data);
        try
        {
            await ProbeAsync(host, fromStandby);
        }
        finally
        {
            await host.DisposeAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task ProbeAsync(StratusHost host, bool fromStandby)
    {
        if (fromStandby)
        {
            await host.WaitForStandbyAsync("node", 2);
        }

        var victimZip = Zips.Create(("index.js", Probe + "\n// victim"));
        await host.CreateFunctionAsync("victim", "nodejs20.x", "index.handler", victimZip);
        await host.CreateFunctionAsync("snoop", "nodejs20.x", "index.handler", Zips.Create(("index.js", Probe)), timeout: 30, memory: 1024);
        var victimCode = Path.Combine(host.DataDirectory, "code", Convert.ToHexStringLower(SHA256.HashData(victimZip)));

        // The victim stays warm, with a file in its /tmp and its Runtime API address known.
        var victimApi = (await host.InvokeAsync("victim", """{"remember":"s3cret"}""")).Json.GetValue<string>();
        var snoop = await host.InvokeAsync("snoop", new System.Text.Json.Nodes.JsonObject
        {
            ["database"] = Path.Combine(host.DataDirectory, "stratus.db"),
            ["data"] = host.DataDirectory,
            ["codeRoot"] = Path.Combine(host.DataDirectory, "code"),
            ["otherCode"] = Path.Combine(victimCode, "index.js"),
            ["serverPid"] = Environment.ProcessId,
            ["otherApi"] = victimApi,
            ["fill"] = true,
        }.ToJsonString());
        var victimAfter = await host.InvokeAsync("victim", "{}");

        Assert.Null(snoop.FunctionError);
        var r = snoop.Json;
        Assert.True((int)r["uid"]! >= 2_000_000, "runs as an unprivileged user of its own");
        Assert.Equal("EACCES", (string)r["database"]!);
        Assert.Equal("EACCES", (string)r["listData"]!);
        Assert.Equal("EACCES", (string)r["listCode"]!);
        Assert.Equal("EACCES", (string)r["otherCode"]!);
        Assert.Equal("ok", (string)r["ownCode"]!);
        Assert.Equal("EROFS", (string)r["writeCode"]!);
        Assert.DoesNotContain("secret", r["tmp"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("EPERM", (string)r["signalServer"]!);
        Assert.False((bool)r["seesServer"]!);
        Assert.Equal("ENOSPC", (string)r["fill"]!);
        // Refused before a byte is read: closed, or reset since the request was never read.
        Assert.True((string)r["otherApi"]! is "closed" or "ECONNRESET", $"another instance's Runtime API answered: {r["otherApi"]}");
        // The victim was not disturbed: its next invoke works as before.
        Assert.Null(victimAfter.FunctionError);
        Assert.Contains("secret", victimAfter.Json["tmp"]!.AsArray().Select(n => (string)n!));
        var stats = System.Text.Json.Nodes.JsonNode.Parse(await host.Http.GetStringAsync("/stratus/v1/functions/snoop/stats"))!;
        Assert.Equal(fromStandby ? 1 : 0, (int)stats["ColdStartsFromStandby"]!);
    }

    [Fact]
    public async Task EphemeralStorage_SizesThePrivateTmpAndIsValidated()
    {
        var code = Zips.Create(("index.js", "exports.handler = async () => { const s = require('fs').statfsSync('/tmp'); return Math.round(s.blocks * s.bsize / 1048576); };"));
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["FunctionName"] = "big-tmp",
            ["Runtime"] = "nodejs20.x",
            ["Handler"] = "index.handler",
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["EphemeralStorage"] = new System.Text.Json.Nodes.JsonObject { ["Size"] = 1024 },
            ["Code"] = new System.Text.Json.Nodes.JsonObject { ["ZipFile"] = Convert.ToBase64String(code) },
        };
        using var created = await _host.Http.PostAsync("/2015-03-31/functions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        body["FunctionName"] = "tiny-tmp";
        body["EphemeralStorage"]!["Size"] = 100;
        using var refused = await _host.Http.PostAsync("/2015-03-31/functions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        var size = await _host.InvokeAsync("big-tmp");

        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("\"EphemeralStorage\":{\"Size\":1024}", await created.Content.ReadAsStringAsync());
        Assert.Equal("1024", size.Body);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("ephemeralStorage.size", await refused.Content.ReadAsStringAsync());
    }
}
