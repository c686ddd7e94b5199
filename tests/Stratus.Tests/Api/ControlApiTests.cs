using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Api;

public sealed class ControlApiTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("/2015-03-31/functions/lookup")]
    [InlineData("/2015-03-31/functions/lookup/configuration")]
    [InlineData("/2015-03-31/functions/000000000000%3Afunction%3Alookup")]
    [InlineData("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Alookup")]
    [InlineData("/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:lookup:$LATEST")]
    [InlineData("/2015-03-31/functions/lookup?Qualifier=%24LATEST")]
    public async Task Get_FunctionByNameOrArn_FindsIt(string path)
    {
        await _host.CreateFunctionAsync("lookup", "nodejs20.x", "index.handler", Zips.NodeEcho());

        using var response = await _host.Http.GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var configuration = body["Configuration"] ?? body;
        Assert.Equal("lookup", (string)configuration["FunctionName"]!);
    }

    [Fact]
    public async Task Create_ReturnsWhatWaitersRead()
    {
        var zip = Zips.NodeEcho();

        var created = await _host.CreateFunctionAsync("waiters", "nodejs20.x", "index.handler", zip);

        Assert.Equal("Active", (string)created["State"]!);
        Assert.Equal("Successful", (string)created["LastUpdateStatus"]!);
        Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(zip)), (string)created["CodeSha256"]!);
        Assert.Equal(zip.Length, (long)created["CodeSize"]!);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$", (string)created["LastModified"]!);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:waiters", (string)created["FunctionArn"]!);
        Assert.True(Guid.TryParse((string)created["RevisionId"]!, out _));
    }

    [Fact]
    public async Task List_PagesWithMarkerAndMaxItems_WithOrWithoutTrailingSlash()
    {
        foreach (var name in new[] { "page-a", "page-b", "page-c" })
        {
            await _host.CreateFunctionAsync(name, "nodejs20.x", "index.handler", Zips.NodeEcho());
        }

        var first = await GetJsonAsync("/2015-03-31/functions/?MaxItems=2");
        var marker = Uri.EscapeDataString((string)first["NextMarker"]!);
        var second = await GetJsonAsync($"/2015-03-31/functions?MaxItems=2&Marker={marker}");

        Assert.Equal(["page-a", "page-b"], first["Functions"]!.AsArray().Select(f => (string)f!["FunctionName"]!));
        Assert.Equal(["page-c"], second["Functions"]!.AsArray().Select(f => (string)f!["FunctionName"]!));
        Assert.Null(second["NextMarker"]);
    }

    [Fact]
    public async Task Errors_HaveLambdaShapeAndStatus()
    {
        await _host.CreateFunctionAsync("exists", "nodejs20.x", "index.handler", Zips.NodeEcho());

        await AssertErrorAsync(await _host.Http.GetAsync("/2015-03-31/functions/nope"), 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
        await AssertErrorAsync(await CreateRawAsync(Body("exists")), 409, "ResourceConflictException", "Function already exist: exists");
        await AssertErrorAsync(await CreateRawAsync(Body("mem", memory: 64)), 400, "InvalidParameterValueException", "memorySize");
        await AssertErrorAsync(await CreateRawAsync(Body("mem2", memory: 10241)), 400, "InvalidParameterValueException", "memorySize");
        await AssertErrorAsync(await CreateRawAsync(Body("to", timeout: 901)), 400, "InvalidParameterValueException", "timeout");
        await AssertErrorAsync(await CreateRawAsync(Body("rt", runtime: "java21")), 400, "InvalidParameterValueException", "runtime");
        await AssertErrorAsync(await CreateRawAsync(Body("bad name!")), 400, "InvalidParameterValueException", "functionName");
        await AssertErrorAsync(await CreateRawAsync(Body("h", handler: "has space")), 400, "InvalidParameterValueException", "handler");
        await AssertErrorAsync(await CreateRawAsync(Body("env", environment: new() { ["BIG"] = new string('x', 4100) })), 400, "InvalidParameterValueException", "4KB");
        await AssertErrorAsync(await CreateRawAsync(Body("reserved", environment: new() { ["AWS_REGION"] = "x" })), 400, "InvalidParameterValueException", "reserved keys");
        await AssertErrorAsync(await CreateRawAsync("{\"FunctionName\":\"x\",\"Bogus\":1}"), 400, "InvalidRequestContentException", "Bogus");
        await AssertErrorAsync(await CreateRawAsync("{not json"), 400, "InvalidRequestContentException", "json");
        await AssertErrorAsync(await CreateRawAsync(Body("zip", zip: "bm90IGEgemlw")), 400, "InvalidParameterValueException", "Could not unzip");
        await AssertErrorAsync(await _host.Http.PutAsync("/2015-03-31/functions/exists/configuration", Json("{\"RevisionId\":\"stale\",\"Timeout\":5}")), 412, "PreconditionFailedException", "Revision Id");
    }

    [Fact]
    public async Task RejectedRequests_ChangeNothing()
    {
        await _host.CreateFunctionAsync("stable", "nodejs20.x", "index.handler", Zips.NodeEcho());
        var before = await GetJsonAsync("/2015-03-31/functions/stable/configuration");

        using var rejected = await _host.Http.PutAsync("/2015-03-31/functions/stable/configuration", Json("{\"MemorySize\":1,\"Timeout\":10}"));
        var after = await GetJsonAsync("/2015-03-31/functions/stable/configuration");

        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task UpdateAndDelete_ChangeWhatGetReturns()
    {
        await _host.CreateFunctionAsync("lifecycle", "nodejs20.x", "index.handler", Zips.NodeEcho());

        using var updated = await _host.Http.PutAsync("/2015-03-31/functions/lifecycle/configuration", Json("{\"MemorySize\":512,\"Timeout\":30,\"Environment\":{\"Variables\":{\"AB\":\"b\"}}}"));
        var configuration = await GetJsonAsync("/2015-03-31/functions/lifecycle/configuration");
        using var deleted = await _host.Http.DeleteAsync("/2015-03-31/functions/lifecycle");
        using var gone = await _host.Http.GetAsync("/2015-03-31/functions/lifecycle");

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(512, (int)configuration["MemorySize"]!);
        Assert.Equal(30, (int)configuration["Timeout"]!);
        Assert.Equal("b", (string)configuration["Environment"]!["Variables"]!["AB"]!);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Functions_SurviveARestartOnTheSameDataDirectory()
    {
        var data = Path.Combine(Path.GetTempPath(), "stratus-tests", Guid.NewGuid().ToString("N"));
        await using (var first = await StratusHost.StartAsync(dataDirectory: data))
        {
            await first.CreateFunctionAsync("durable", "nodejs20.x", "index.handler", Zips.NodeEcho());
            await first.Server.DisposeAsync();
        }

        await using var second = await StratusHost.StartAsync(dataDirectory: data);
        var result = await second.InvokeAsync("durable", """{"still":"here"}""");

        Assert.Equal("""{"echo":{"still":"here"}}""", result.Body);
    }

    [Fact]
    public async Task AccountSettings_ReportLimitsAndUsage()
    {
        await _host.CreateFunctionAsync("counted", "nodejs20.x", "index.handler", Zips.NodeEcho());

        var settings = await GetJsonAsync("/2016-08-19/account-settings/");

        Assert.Equal(1000, (int)settings["AccountLimit"]!["ConcurrentExecutions"]!);
        Assert.Equal(1, (int)settings["AccountUsage"]!["FunctionCount"]!);
    }

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await _host.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private Task<HttpResponseMessage> CreateRawAsync(string body) => _host.Http.PostAsync("/2015-03-31/functions", Json(body));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Body(string name, int memory = 128, int timeout = 3, string runtime = "nodejs20.x", string handler = "index.handler", Dictionary<string, string>? environment = null, string? zip = null)
    {
        var body = new JsonObject
        {
            ["FunctionName"] = name,
            ["Runtime"] = runtime,
            ["Handler"] = handler,
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["MemorySize"] = memory,
            ["Timeout"] = timeout,
            ["Code"] = new JsonObject { ["ZipFile"] = zip ?? Convert.ToBase64String(Zips.NodeEcho()) },
        };
        if (environment is not null)
        {
            body["Environment"] = new JsonObject { ["Variables"] = new JsonObject(environment.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))) };
        }

        return body.ToJsonString();
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, int status, string errorType, string messagePart)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
            Assert.Equal(errorType, response.Headers.GetValues("x-amzn-ErrorType").Single());
            var body = JsonNode.Parse(text)!;
            Assert.Equal("User", (string)body["Type"]!);
            Assert.Contains(messagePart, (string)body["Message"]!, StringComparison.Ordinal);
        }
    }
}
