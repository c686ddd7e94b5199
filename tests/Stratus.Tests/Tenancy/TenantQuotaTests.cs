using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Tenancy;

/// <summary>Per-account quotas: concurrency across all of a tenant's functions, function count, total code size.</summary>
public sealed class TenantQuotaTests : IAsyncLifetime
{
    // Marks itself running, then holds until the test creates "go" in the shared directory.
    private const string Gate = """
        const fs = require('fs');
        exports.handler = async (event, context) => {
          fs.writeFileSync(`${process.env.SHARED}/running-${context.awsRequestId}`, '');
          while (!fs.existsSync(`${process.env.SHARED}/go`)) { await new Promise((r) => setTimeout(r, 5)); }
          return 'done';
        };
        """;

    private StratusHost _host = null!;
    private string _shared = null!;

    public async Task InitializeAsync()
    {
        _shared = SharedDirectory.Create("quota-");
        _host = await StratusHost.StartAsync(o => o.StandbyRuntimes = 0);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_shared, recursive: true);
    }

    [Fact]
    public async Task ConcurrencyQuota_CountsEveryFunctionOfTheAccount_ThrottlesTheRestWith429()
    {
        using var limited = await TenantAsync("limited", """{"ConcurrencyLimit":2}""");
        using var free = await TenantAsync("free", "{}");
        foreach (var name in new[] { "first", "second" })
        {
            Assert.Equal(HttpStatusCode.Created, (await CreateAsync(limited, name, Gate)).Status);
        }

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(free, "other", "exports.handler = async () => 'free';")).Status);

        var held = new[] { InvokeAsync(limited, "first"), InvokeAsync(limited, "second") };
        await WaitForAsync(() => Directory.GetFiles(_shared, "running-*").Length == 2);
        var throttled = await InvokeAsync(limited, "first");
        var otherTenant = await InvokeAsync(free, "other");
        File.WriteAllText(Path.Combine(_shared, "go"), "");
        var released = await Task.WhenAll(held);
        var after = await InvokeAsync(limited, "second");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
        Assert.Contains("ConcurrentInvocationLimitExceeded", throttled.Text, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "\"free\""), otherTenant);
        Assert.All(released, r => Assert.Equal((HttpStatusCode.OK, "\"done\""), r));
        Assert.Equal((HttpStatusCode.OK, "\"done\""), after);
    }

    [Fact]
    public async Task FunctionAndCodeQuotas_RefuseWhatWouldExceedThem_AndStoreNothing()
    {
        using var tenant = await TenantAsync("small", """{"MaxFunctions":2,"MaxCodeSizeBytes":4096}""");
        // Random bytes do not compress: this zip is well over the 4 KiB quota.
        var big = "// " + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8192)) + "\nexports.handler = async () => 1;";

        var one = await CreateAsync(tenant, "one", "exports.handler = async () => 1;");
        var tooBig = await CreateAsync(tenant, "big", big);
        var two = await CreateAsync(tenant, "two", "exports.handler = async () => 2;");
        var three = await CreateAsync(tenant, "three", "exports.handler = async () => 3;");
        var listed = JsonNode.Parse(await tenant.GetStringAsync("/2015-03-31/functions"))!["Functions"]!.AsArray();

        Assert.Equal(HttpStatusCode.Created, one.Status);
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.Status);
        Assert.Contains("CodeStorageExceededException", tooBig.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, two.Status);
        Assert.Equal(HttpStatusCode.BadRequest, three.Status);
        Assert.Contains("ServiceQuotaExceededException", three.Text, StringComparison.Ordinal);
        Assert.Equal(["one", "two"], listed.Select(f => (string)f!["FunctionName"]!).Order(StringComparer.Ordinal).ToArray());
    }

    private async Task<HttpClient> TenantAsync(string name, string quotas)
    {
        using var account = await _host.Http.PostAsync("/stratus/v1/accounts", Json($$"""{"Name":"{{name}}","Quotas":{{quotas}}}"""));
        Assert.Equal(HttpStatusCode.Created, account.StatusCode);
        var id = (string)JsonNode.Parse(await account.Content.ReadAsStringAsync())!["AccountId"]!;
        using var keyResponse = await _host.Http.PostAsync($"/stratus/v1/accounts/{id}/keys", null);
        var key = JsonNode.Parse(await keyResponse.Content.ReadAsStringAsync())!;
        return TestCredentials.Client(_host.Address, (string)key["AccessKeyId"]!, (string)key["SecretAccessKey"]!);
    }

    private async Task<(HttpStatusCode Status, string Text)> CreateAsync(HttpClient http, string name, string code)
    {
        var zip = Zips.Create(("index.js", code));
        var body = new JsonObject
        {
            ["FunctionName"] = name,
            ["Runtime"] = "nodejs20.x",
            ["Handler"] = "index.handler",
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["Timeout"] = 60,
            ["Environment"] = new JsonObject { ["Variables"] = new JsonObject { ["SHARED"] = _shared } },
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(zip) },
        };
        using var response = await http.PostAsync("/2015-03-31/functions", Json(body.ToJsonString()));
        return (response.StatusCode, response.Headers.TryGetValues("x-amzn-ErrorType", out var type) ? type.First() : await response.Content.ReadAsStringAsync());
    }

    private static async Task<(HttpStatusCode Status, string Text)> InvokeAsync(HttpClient http, string name)
    {
        using var response = await http.PostAsync($"/2015-03-31/functions/{name}/invocations", Json("{}"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>Waits (up to 60 s) for a condition the functions signal through the shared directory.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 3000 && !condition(); attempt++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "the functions never signalled");
    }
}
