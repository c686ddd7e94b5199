using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.DevLoop;

/// <summary><c>stratus apply</c>: a manifest's functions, schedules, queues and URLs made to exist, idempotently.</summary>
public sealed class ApplyTests : ServerWorkspace
{
    // A function with the keys every manifest needs; the bad-manifest cases add one wrong line to it.
    private const string F = "functions:\n  f:\n    runtime: nodejs20.x\n    handler: index.handler\n    code: src\n";

    // The project's one function with only what a function needs; Shop gives it every kind of trigger.
    private const string ShopOrders = "project: shop\nfunctions:\n  orders:\n    runtime: nodejs20.x\n    handler: index.handler\n    code: src\n";

    private const string Shop = ShopOrders + """
            memory: 256
            timeout: 10
            environment:
              STYLE: warm
            schedules:
              nightly: cron(0 3 * * ? *)
              often:
                expression: rate(5 minutes)
                input: '{"name":"tick"}'
            queues:
              incoming:
                batchSize: 5
                reportBatchItemFailures: true
            url:
              authType: NONE
              cors:
                allowOrigins: ["https://shop.example"]
                maxAge: 60
        """;

    private string _project = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _project = Work;
        Directory.CreateDirectory(Path.Combine(_project, "src"));
        await File.WriteAllTextAsync(Path.Combine(_project, "src", "index.js"), "exports.handler = async (e) => ({ style: process.env.STYLE, name: e.name ?? null });");
    }

    [Fact]
    public async Task Apply_Twice_CreatesEverythingThenReportsAllUnchanged()
    {
        await WriteManifestAsync(Shop);

        var first = await StratusCommand.RunAsync(Host, "apply", _project);
        var second = await StratusCommand.RunAsync(Host, "apply", _project);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(
            ["function orders: created", "schedule nightly: created", "schedule often: created", "queue incoming: created", "mapping incoming -> orders: created", "url orders: created"],
            first.Stdout.Split('\n').Take(6).Select(l => l.Split(" (")[0]));
        Assert.Contains("stratus.yaml: 6 created, 0 updated, 0 deleted, 0 unchanged", first.Stdout);
        Assert.Equal(0, second.ExitCode);
        Assert.DoesNotContain("created", second.Stdout);
        Assert.DoesNotContain("updated", second.Stdout);
        Assert.Contains("stratus.yaml: nothing changed (6 unchanged)", second.Stdout);
    }

    [Fact]
    public async Task Apply_Manifest_SchedulesQueuesAndUrlWorkAsWritten()
    {
        await WriteManifestAsync(Shop);

        await StratusCommand.RunAsync(Host, "apply", _project);
        var configuration = await GetAsync("/2015-03-31/functions/orders/configuration");
        var often = await GetAsync("/stratus/v1/schedules/often");
        var nightly = await GetAsync("/stratus/v1/schedules/nightly");
        var mapping = (await GetAsync("/2015-03-31/event-source-mappings?FunctionName=orders"))["EventSourceMappings"]![0]!;
        var url = await GetAsync("/2021-10-31/functions/orders/url");
        var answer = await Host.Http.GetStringAsync((string)url["FunctionUrl"]!);

        Assert.Equal(256, (int)configuration["MemorySize"]!);
        Assert.Equal(10, (int)configuration["Timeout"]!);
        Assert.Equal("warm", (string)configuration["Environment"]!["Variables"]!["STYLE"]!);
        Assert.Equal("rate(5 minutes)", (string)often["ScheduleExpression"]!);
        Assert.Equal("""{"name":"tick"}""", (string)often["Target"]!["Input"]!);
        Assert.Equal("orders", (string)often["Target"]!["FunctionName"]!);
        Assert.Equal("cron(0 3 * * ? *)", (string)nightly["ScheduleExpression"]!);
        Assert.EndsWith(":incoming", (string)mapping["EventSourceArn"]!);
        Assert.Equal(5, (int)mapping["BatchSize"]!);
        Assert.Equal("ReportBatchItemFailures", (string)mapping["FunctionResponseTypes"]![0]!);
        Assert.Equal("NONE", (string)url["AuthType"]!);
        Assert.Equal("https://shop.example", (string)url["Cors"]!["AllowOrigins"]![0]!);
        Assert.Contains("\"style\":\"warm\"", answer);
    }

    [Fact]
    public async Task Apply_ManifestQueue_DeliversItsMessagesToTheFunction()
    {
        await using var listener = await RecordingListener.StartAsync();
        var code = Path.Combine(_project, "consumer");
        System.IO.Compression.ZipFile.ExtractToDirectory(new MemoryStream(QueueFunctions.Reporter()), code);
        await WriteManifestAsync($"functions:\n  consumer:\n    runtime: nodejs20.x\n    handler: index.handler\n    code: consumer\n    environment:\n      REPORT_PORT: '{listener.Port}'\n    queues:\n      jobs:\n        batchSize: 1\n");

        var applied = await StratusCommand.RunAsync(Host, "apply", _project);
        var queueUrl = (string)(await SqsCalls.CallAsync(Host.Http, "GetQueueUrl", new JsonObject { ["QueueName"] = "jobs" }))["QueueUrl"]!;
        await SqsCalls.SendMessagesAsync(Host.Http, queueUrl, "first job");
        var batch = await listener.NextAsync();

        Assert.Equal(0, applied.ExitCode);
        Assert.Equal("first job", (string)batch["bodies"]![0]!);
        Assert.EndsWith(":jobs", (string)batch["eventSourceARN"]!);
    }

    [Fact]
    public async Task Apply_ChangedSettingsAndCode_UpdatesOnlyWhatDiffers()
    {
        await WriteManifestAsync(Shop);
        await StratusCommand.RunAsync(Host, "apply", _project);

        await WriteManifestAsync(Shop.Replace("memory: 256", "memory: 512").Replace("rate(5 minutes)", "rate(10 minutes)").Replace("batchSize: 5", "batchSize: 7"));
        await File.WriteAllTextAsync(Path.Combine(_project, "src", "index.js"), "exports.handler = async () => 'v2';");
        var changed = await StratusCommand.RunAsync(Host, "apply", _project);
        var invoked = await Host.InvokeAsync("orders");

        Assert.Equal(0, changed.ExitCode);
        AssertPrinted(
            changed.Stdout,
            new HashSet<string>
            {
                "function orders: updated (code, memory)",
                "schedule often: updated (rate(10 minutes))",
                "schedule nightly: unchanged",
                "mapping incoming -> orders: updated",
                "stratus.yaml: 0 created, 3 updated, 0 deleted, 3 unchanged",
            });
        Assert.Equal("\"v2\"", invoked.Body);
        Assert.Equal(512, (int)(await GetAsync("/2015-03-31/functions/orders/configuration"))["MemorySize"]!);
    }

    [Fact]
    public async Task Apply_Prune_DeletesOnlyWhatThisProjectNoLongerLists()
    {
        await WriteManifestAsync(Shop + "\n  audit:\n    runtime: nodejs20.x\n    handler: index.handler\n    code: src\n");
        await StratusCommand.RunAsync(Host, "apply", _project);
        await Host.CreateFunctionAsync("someone-elses", "nodejs20.x", "index.handler", Zips.Create(("index.js", "exports.handler = async () => 1;")));
        await WriteManifestAsync(ShopOrders);

        var kept = await StratusCommand.RunAsync(Host, "apply", _project);
        var pruned = await StratusCommand.RunAsync(Host, "apply", _project, "--prune");
        var again = await StratusCommand.RunAsync(Host, "apply", _project, "--prune");
        var functions = (await GetAsync("/2015-03-31/functions/"))["Functions"]!.AsArray().Select(f => (string)f!["FunctionName"]!).Order();
        var schedules = (await GetAsync("/stratus/v1/schedules"))["Schedules"]!.AsArray();

        AssertPrinted(kept.Stdout, ["function audit: kept (no longer in the manifest; --prune deletes it)", "schedule often: kept (not in the manifest; --prune deletes it)"]);
        AssertPrinted(pruned.Stdout, ["function audit: deleted", "schedule often: deleted", "schedule nightly: deleted", "mapping incoming -> orders: deleted", "url orders: deleted"]);
        Assert.DoesNotContain("someone-elses", pruned.Stdout);
        Assert.Contains("nothing changed (1 unchanged)", again.Stdout);
        Assert.Equal(["orders", "someone-elses"], functions);
        Assert.Empty(schedules);
    }

    [Theory]
    [InlineData(F + "    memroy: 256\n", "stratus.yaml line 6: functions.f.memroy: unknown key; expected one of: runtime, handler")]
    [InlineData(F + "    memory: 99999\n", "functions.f.memory: must be a whole number of MB from 128 to 10240, not 99999")]
    [InlineData("functions:\n  f:\n    handler: index.handler\n    code: src\n", "functions.f.runtime: missing")]
    [InlineData("functions:\n  f:\n    runtime: nodejs20.x\n    handler: index.handler\n    code: nowhere\n", "functions.f.code: directory nowhere does not exist")]
    [InlineData(F + "    url:\n      authType: OPEN\n", "functions.f.url.authType: must be NONE or AWS_IAM, not OPEN")]
    [InlineData(F + "    schedules:\n      daily:\n        expresion: rate(1 day)\n", "functions.f.schedules.daily.expresion: unknown key")]
    [InlineData("functions:\n  f.g:\n    runtime: nodejs20.x\n", "functions.f.g: is not a valid name")]
    [InlineData("function:\n  f: {}\n", "stratus.yaml line 1: function: unknown key; expected one of: project, functions")]
    [InlineData("functions: [a, b\n", "not valid YAML")]
    public async Task Apply_BadManifest_NamesTheOffendingKeyAndChangesNothing(string manifest, string expected)
    {
        await WriteManifestAsync(manifest);

        var refused = await StratusCommand.RunAsync(Host, "apply", _project);
        var functions = (await GetAsync("/2015-03-31/functions/"))["Functions"]!.AsArray();

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains(expected, refused.Stderr);
        Assert.Empty(functions);
    }

    [Fact]
    public async Task Apply_ServerRefusesASetting_ErrorNamesTheFunctionEntry()
    {
        await WriteManifestAsync(F.Replace("nodejs20.x", "cobol85", StringComparison.Ordinal));

        var refused = await StratusCommand.RunAsync(Host, "apply", _project);

        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("InvalidParameterValueException: functions.f in stratus.yaml: ", refused.Stderr);
        Assert.Contains("cobol85", refused.Stderr);
    }

    private Task WriteManifestAsync(string text) => File.WriteAllTextAsync(Path.Combine(_project, "stratus.yaml"), text);

    private async Task<JsonNode> GetAsync(string path) => JsonNode.Parse(await Host.Http.GetStringAsync(path))!;

    /// <summary>Each expected line was printed as a whole line (in any order); a failure shows all the output.</summary>
    private static void AssertPrinted(string output, IEnumerable<string> expected)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var line in expected)
        {
            Assert.True(lines.Contains(line), $"'{line}' not printed; the output was:\n{output}");
        }
    }
}
