using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tenancy.SigV4;
using Stratus.Tests.EndToEnd;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Tenancy;

/// <summary>
/// Two tenants on one server: each sees, invokes and changes only its own resources; to each, the
/// other's do not exist (404), even by full ARN. Every request is signed; bad signatures change nothing.
/// </summary>
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private const string Echo = "exports.handler = async (event, context) => ({ name: process.env.AWS_LAMBDA_FUNCTION_NAME, arn: context.invokedFunctionArn, event });";
    private StratusHost _host = null!;
    private Tenant _a = null!;
    private Tenant _b = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync(o => o.StandbyRuntimes = 0);
        _a = await CreateTenantAsync("tenant-a");
        _b = await CreateTenantAsync("tenant-b");
        await CreateFunctionAsync(_a.Http, "shared-name");
        await CreateFunctionAsync(_b.Http, "shared-name");
        await CreateFunctionAsync(_a.Http, "only-a");
    }

    public async Task DisposeAsync()
    {
        _a.Http.Dispose();
        _b.Http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task ListFunctions_EachTenant_SeesOnlyItsOwn()
    {
        var a = await NamesAsync(_a.Http);
        var b = await NamesAsync(_b.Http);
        var root = await NamesAsync(_host.Http);

        Assert.Equal(["only-a", "shared-name"], a);
        Assert.Equal(["shared-name"], b);
        Assert.Empty(root);
    }

    [Fact]
    public async Task Invoke_SameNameInTwoAccounts_RunsEachTenantsOwnFunctionWithItsArn()
    {
        var a = await InvokeAsync(_a.Http, "shared-name");
        var b = await InvokeAsync(_b.Http, "shared-name");

        Assert.Equal(HttpStatusCode.OK, a.Status);
        Assert.Equal("shared-name", (string?)a.Json!["name"]);
        Assert.Equal($"arn:aws:lambda:us-east-1:{_a.AccountId}:function:shared-name", (string?)a.Json["arn"]);
        Assert.Equal($"arn:aws:lambda:us-east-1:{_b.AccountId}:function:shared-name", (string?)b.Json!["arn"]);
        var configuration = JsonNode.Parse(await _a.Http.GetStringAsync("/2015-03-31/functions/shared-name/configuration"))!;
        Assert.Equal($"arn:aws:lambda:us-east-1:{_a.AccountId}:function:shared-name", (string?)configuration["FunctionArn"]);
    }

    [Theory]
    [InlineData("GET", "/2015-03-31/functions/{fn}")]
    [InlineData("GET", "/2015-03-31/functions/{fn}/configuration")]
    [InlineData("PUT", "/2015-03-31/functions/{fn}/configuration", """{"Timeout":9}""")]
    [InlineData("POST", "/2015-03-31/functions/{fn}/invocations", "{}")]
    [InlineData("DELETE", "/2015-03-31/functions/{fn}")]
    [InlineData("GET", "/2019-09-30/functions/{fn}/concurrency")]
    [InlineData("PUT", "/2017-10-31/functions/{fn}/concurrency", """{"ReservedConcurrentExecutions":1}""")]
    [InlineData("GET", "/2019-09-25/functions/{fn}/event-invoke-config")]
    [InlineData("PUT", "/2019-09-25/functions/{fn}/event-invoke-config", """{"MaximumRetryAttempts":0}""")]
    [InlineData("POST", "/2021-10-31/functions/{fn}/url", """{"AuthType":"NONE"}""")]
    [InlineData("GET", "/2021-10-31/functions/{fn}/urls")]
    [InlineData("GET", "/stratus/v1/functions/{fn}/logs")]
    [InlineData("GET", "/stratus/v1/functions/{fn}/stats")]
    [InlineData("GET", "/stratus/v1/functions/{fn}/code")]
    [InlineData("POST", "/2015-03-31/functions/{fn}/versions", "{}")]
    [InlineData("GET", "/2015-03-31/functions/{fn}/versions")]
    [InlineData("POST", "/2015-03-31/functions/{fn}/aliases", """{"Name":"live","FunctionVersion":"$LATEST"}""")]
    [InlineData("GET", "/2015-03-31/functions/{fn}/aliases")]
    public async Task AnotherTenantsFunction_ByNameOrFullArn_DoesNotExist(string method, string route, string? body = null)
    {
        foreach (var fn in new[] { "only-a", $"arn:aws:lambda:us-east-1:{_a.AccountId}:function:only-a" })
        {
            var (status, text) = await SendAsync(_b.Http, method, route.Replace("{fn}", Uri.EscapeDataString(fn), StringComparison.Ordinal), body);

            Assert.True(status == HttpStatusCode.NotFound, $"{method} {route} with {fn}: {(int)status} {text}");
            Assert.Contains("ResourceNotFoundException", text + status, StringComparison.Ordinal);
        }

        // And nothing changed for its owner.
        var configuration = JsonNode.Parse(await _a.Http.GetStringAsync("/2015-03-31/functions/only-a/configuration"))!;
        Assert.Equal(3, (int)configuration["Timeout"]!);
        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(_a.Http, "only-a")).Status);
    }

    [Fact]
    public async Task Schedules_AnotherTenantsSchedule_IsInvisible()
    {
        var put = await SendAsync(_a.Http, "PUT", "/stratus/v1/schedules/a-nightly", """{"ScheduleExpression":"rate(1 hour)","Target":{"FunctionName":"only-a"}}""");
        Assert.Equal(HttpStatusCode.OK, put.Status);

        var listed = JsonNode.Parse(await _b.Http.GetStringAsync("/stratus/v1/schedules"))!["Schedules"]!.AsArray();
        var get = await SendAsync(_b.Http, "GET", "/stratus/v1/schedules/a-nightly");
        var delete = await SendAsync(_b.Http, "DELETE", "/stratus/v1/schedules/a-nightly");
        var targetOther = await SendAsync(_b.Http, "PUT", "/stratus/v1/schedules/b-steal", $$$"""{"ScheduleExpression":"rate(1 hour)","Target":{"FunctionName":"arn:aws:lambda:us-east-1:{{{_a.AccountId}}}:function:only-a"}}""");

        Assert.Empty(listed);
        Assert.Equal(HttpStatusCode.NotFound, get.Status);
        Assert.Equal(HttpStatusCode.NotFound, delete.Status);
        Assert.Equal(HttpStatusCode.NotFound, targetOther.Status);
        var own = JsonNode.Parse(await _a.Http.GetStringAsync("/stratus/v1/schedules/a-nightly"))!;
        Assert.Equal("only-a", (string?)own["Target"]!["FunctionName"]);
        Assert.Equal($"arn:aws:scheduler:us-east-1:{_a.AccountId}:schedule/default/a-nightly", (string?)own["Arn"]);
    }

    [Fact]
    public async Task Queues_SameNameInTwoAccounts_AreSeparate_AndAnotherTenantsQueueDoesNotExist()
    {
        var urlA = (string)(await SqsAsync(_a.Http, "CreateQueue", """{"QueueName":"jobs"}"""))["QueueUrl"]!;
        var urlB = (string)(await SqsAsync(_b.Http, "CreateQueue", """{"QueueName":"jobs"}"""))["QueueUrl"]!;
        await SqsAsync(_a.Http, "SendMessage", $$"""{"QueueUrl":"{{urlA}}","MessageBody":"for a"}""");

        var listedB = (await SqsAsync(_b.Http, "ListQueues", "{}"))["QueueUrls"]!.AsArray().Select(u => (string)u!).ToArray();
        var sendToA = await SqsRawAsync(_b.Http, "SendMessage", $$"""{"QueueUrl":"{{urlA}}","MessageBody":"from b"}""");
        var receiveFromA = await SqsRawAsync(_b.Http, "ReceiveMessage", $$"""{"QueueUrl":"{{urlA}}"}""");
        var mapAQueue = await SendAsync(_b.Http, "POST", "/2015-03-31/event-source-mappings/", $$"""{"FunctionName":"shared-name","EventSourceArn":"arn:aws:sqs:us-east-1:{{_a.AccountId}}:jobs"}""");
        var destinationInA = await SendAsync(_b.Http, "PUT", "/2019-09-25/functions/shared-name/event-invoke-config", """{"DestinationConfig":{"OnSuccess":{"Destination":"arn:aws:sqs:us-east-1:ACCOUNT:jobs"}}}""".Replace("ACCOUNT", _a.AccountId, StringComparison.Ordinal));

        Assert.EndsWith($"/{_a.AccountId}/jobs", urlA, StringComparison.Ordinal);
        Assert.EndsWith($"/{_b.AccountId}/jobs", urlB, StringComparison.Ordinal);
        Assert.Equal([urlB], listedB);
        Assert.Contains("QueueDoesNotExist", sendToA, StringComparison.Ordinal);
        Assert.Contains("QueueDoesNotExist", receiveFromA, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, mapAQueue.Status);
        Assert.Equal(HttpStatusCode.BadRequest, destinationInA.Status);
        var left = (await SqsAsync(_a.Http, "ReceiveMessage", $$"""{"QueueUrl":"{{urlA}}","MaxNumberOfMessages":10}"""))["Messages"]!.AsArray();
        Assert.Equal(["for a"], left.Select(m => (string)m!["Body"]!).ToArray());
    }

    [Fact]
    public async Task Usage_EachTenantSeesItsOwn_AndCannotNameAnother()
    {
        await InvokeAsync(_a.Http, "shared-name");
        await InvokeAsync(_a.Http, "only-a");
        await InvokeAsync(_b.Http, "shared-name");

        var a = JsonNode.Parse(await _a.Http.GetStringAsync("/stratus/v1/usage?groupBy=function"))!;
        var b = JsonNode.Parse(await _b.Http.GetStringAsync("/stratus/v1/usage?groupBy=function"))!;
        var bAsksForA = await SendAsync(_b.Http, "GET", $"/stratus/v1/usage?account={_a.AccountId}");
        var rootAsksForB = JsonNode.Parse(await _host.Http.GetStringAsync($"/stratus/v1/usage?account={_b.AccountId}"))!;

        Assert.Equal(_a.AccountId, (string?)a["AccountId"]);
        Assert.Equal(2, (long)a["Total"]!["Requests"]!);
        Assert.Equal(["only-a", "shared-name"], a["Groups"]!.AsArray().Select(g => (string)g!["Key"]!).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(1, (long)b["Total"]!["Requests"]!);
        Assert.Equal(HttpStatusCode.Forbidden, bAsksForA.Status);
        Assert.Equal(1, (long)rootAsksForB["Total"]!["Requests"]!);
    }

    [Fact]
    public async Task AccountApi_TenantKey_IsRefused()
    {
        var (status, text) = await SendAsync(_a.Http, "GET", "/stratus/v1/accounts");
        var create = await SendAsync(_a.Http, "POST", "/stratus/v1/accounts", """{"Name":"sneaky"}""");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("AccessDeniedException", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, create.Status);
    }

    [Fact]
    public async Task AwsCli_TenantKey_ManagesOnlyItsOwnFunctions()
    {
        var home = Directory.CreateTempSubdirectory("stratus-cli-").FullName;
        try
        {
            var cli = new AwsCli(_host.Endpoint, home, "lambda", _b.AccessKeyId, _b.Secret);
            var listed = JsonNode.Parse((await cli.RunAsync("list-functions")).Stdout)!["Functions"]!.AsArray();
            var other = await cli.RunAsync("get-function", "--function-name", $"arn:aws:lambda:us-east-1:{_a.AccountId}:function:only-a");

            Assert.Equal(["shared-name"], listed.Select(f => (string)f!["FunctionName"]!).ToArray());
            Assert.Contains("ResourceNotFoundException", other.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task BadSignatures_AreRefusedWithAwsErrors_AndChangeNothing()
    {
        using var unsigned = new HttpClient { BaseAddress = _host.Address };
        using var wrongSecret = TestCredentials.Client(_host.Address, _a.AccessKeyId, new string('x', 40));
        using var unknownKey = TestCredentials.Client(_host.Address, "AKIANOSUCHKEY0000000", _a.Secret);
        using var stale = new HttpClient(new SigV4SigningHandler(_a.AccessKeyId, _a.Secret, "us-east-1", time: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-20))))
        {
            BaseAddress = _host.Address,
        };
        const string Delete = "/2015-03-31/functions/only-a";

        var none = await SendAsync(unsigned, "DELETE", Delete);
        var wrong = await SendAsync(wrongSecret, "DELETE", Delete);
        var unknown = await SendAsync(unknownKey, "DELETE", Delete);
        var old = await SendAsync(stale, "DELETE", Delete);
        var sqs = await unsigned.PostAsync("/", new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.0") { Headers = { { "X-Amz-Target", "AmazonSQS.ListQueues" } } });

        Assert.Equal((HttpStatusCode.Forbidden, "MissingAuthenticationTokenException"), (none.Status, ErrorType(none.Text)));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.Status);
        Assert.Contains("InvalidSignatureException", wrong.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.Status);
        Assert.Contains("UnrecognizedClientException", unknown.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, old.Status);
        Assert.Contains("Signature expired", old.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, sqs.StatusCode);
        Assert.Contains("MissingAuthenticationTokenException", await sqs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_a.Http, "GET", "/2015-03-31/functions/only-a")).Status);
    }

    [Fact]
    public async Task DisabledAccount_ItsKeysStopWorking()
    {
        var c = await CreateTenantAsync("tenant-c");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(c.Http, "GET", "/2015-03-31/functions")).Status);

        await SendAsync(_host.Http, "POST", $"/stratus/v1/accounts/{c.AccountId}/disable");
        var refused = await SendAsync(c.Http, "GET", "/2015-03-31/functions");

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("UnrecognizedClientException", refused.Text, StringComparison.Ordinal);
        c.Http.Dispose();
    }

    private static string? ErrorType(string body) => body.Contains("MissingAuthenticationToken", StringComparison.Ordinal) ? "MissingAuthenticationTokenException" : body;

    private async Task<Tenant> CreateTenantAsync(string name)
    {
        var account = await SendAsync(_host.Http, "POST", "/stratus/v1/accounts", $$"""{"Name":"{{name}}"}""");
        Assert.Equal(HttpStatusCode.Created, account.Status);
        var id = (string)JsonNode.Parse(account.Text)!["AccountId"]!;
        var key = JsonNode.Parse((await SendAsync(_host.Http, "POST", $"/stratus/v1/accounts/{id}/keys")).Text)!;
        var keyId = (string)key["AccessKeyId"]!;
        var secret = (string)key["SecretAccessKey"]!;
        return new Tenant(id, keyId, secret, TestCredentials.Client(_host.Address, keyId, secret));
    }

    private static async Task CreateFunctionAsync(HttpClient http, string name)
    {
        var body = new JsonObject
        {
            ["FunctionName"] = name,
            ["Runtime"] = "nodejs20.x",
            ["Handler"] = "index.handler",
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(Zips.Create(("index.js", Echo))) },
        };
        var (status, text) = await SendAsync(http, "POST", "/2015-03-31/functions", body.ToJsonString());
        Assert.True(status == HttpStatusCode.Created, text);
    }

    private static async Task<JsonNode> SqsAsync(HttpClient http, string operation, string body) =>
        JsonNode.Parse(await SqsRawAsync(http, operation, body, expectSuccess: true))!;

    private static async Task<string> SqsRawAsync(HttpClient http, string operation, string body, bool expectSuccess = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.0"),
        };
        request.Headers.Add("X-Amz-Target", "AmazonSQS." + operation);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(!expectSuccess || response.IsSuccessStatusCode, $"{operation}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static async Task<string[]> NamesAsync(HttpClient http) =>
        [.. JsonNode.Parse(await http.GetStringAsync("/2015-03-31/functions"))!["Functions"]!.AsArray().Select(f => (string)f!["FunctionName"]!).Order(StringComparer.Ordinal)];

    private static async Task<(HttpStatusCode Status, JsonNode? Json)> InvokeAsync(HttpClient http, string name)
    {
        var (status, text) = await SendAsync(http, "POST", $"/2015-03-31/functions/{name}/invocations", """{"x":1}""");
        return (status, status == HttpStatusCode.OK ? JsonNode.Parse(text) : null);
    }

    private static async Task<(HttpStatusCode Status, string Text)> SendAsync(HttpClient http, string method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.First() : "";
        return (response.StatusCode, type + " " + text);
    }

    private sealed record Tenant(string AccountId, string AccessKeyId, string Secret, HttpClient Http);
}
