using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.EndToEnd;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Releases;

/// <summary>
/// Lambda's provisioned concurrency on versions and aliases, through the real AWS CLI v2: instances
/// kept initialised for a version or for whatever version an alias names, no cold start on them.
/// </summary>
public sealed class ProvisionedConcurrencyCliTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "stratus-provisioned-tests", Guid.NewGuid().ToString("N"));
    private StratusHost _host = null!;
    private AwsCli _aws = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        _host = await StratusHost.StartAsync(o => o.StandbyRuntimes = 0);
        _aws = new AwsCli(_host.Endpoint, _work);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task ProvisionedOnAVersion_IsReadyListedAndServesWithoutAColdStart()
    {
        await CreateAsync("kept", "one");
        await _aws.SucceedsAsync("publish-version", "--function-name", "kept");

        var put = await _aws.JsonAsync("put-provisioned-concurrency-config", "--function-name", "kept", "--qualifier", "1", "--provisioned-concurrent-executions", "2");
        var get = await _aws.JsonAsync("get-provisioned-concurrency-config", "--function-name", "kept", "--qualifier", "1");
        var listed = await _aws.JsonAsync("list-provisioned-concurrency-configs", "--function-name", "kept");
        var (payload, version, log) = await InvokeAsync("kept", "1");
        var latest = await _aws.RunAsync("put-provisioned-concurrency-config", "--function-name", "kept", "--qualifier", "$LATEST", "--provisioned-concurrent-executions", "1");
        var missing = await _aws.RunAsync("get-provisioned-concurrency-config", "--function-name", "kept", "--qualifier", "9");

        Assert.Equal(2, (int)put["RequestedProvisionedConcurrentExecutions"]!);
        Assert.Equal("READY", (string?)get["Status"]);
        Assert.Equal(2, (int)get["AvailableProvisionedConcurrentExecutions"]!);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:kept:1", (string?)listed["ProvisionedConcurrencyConfigs"]![0]!["FunctionArn"]);
        Assert.Equal(("\"one\"", "1"), (payload, version));
        Assert.Contains("REPORT RequestId:", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Init Duration", log, StringComparison.Ordinal);
        Assert.Contains("InvalidParameterValueException", latest.Stderr, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFoundException", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisionedOnAnAlias_FollowsTheAliasAndGoesWithIt()
    {
        await CreateAsync("moving", "one");
        await _aws.SucceedsAsync("publish-version", "--function-name", "moving");
        await UpdateCodeAsync("moving", "two");
        await _aws.SucceedsAsync("publish-version", "--function-name", "moving");
        await _aws.SucceedsAsync("create-alias", "--function-name", "moving", "--name", "live", "--function-version", "1");
        await _aws.SucceedsAsync("put-provisioned-concurrency-config", "--function-name", "moving", "--qualifier", "live", "--provisioned-concurrent-executions", "1");

        await _aws.SucceedsAsync("update-alias", "--function-name", "moving", "--name", "live", "--function-version", "2");
        // Putting the same configuration again returns once the alias's new version has its instance.
        var again = await _aws.JsonAsync("put-provisioned-concurrency-config", "--function-name", "moving", "--qualifier", "live", "--provisioned-concurrent-executions", "1");
        var (payload, version, log) = await InvokeAsync("moving", "live");
        await _aws.SucceedsAsync("delete-alias", "--function-name", "moving", "--name", "live");
        var listed = await _aws.JsonAsync("list-provisioned-concurrency-configs", "--function-name", "moving");

        Assert.Equal("READY", (string?)again["Status"]);
        Assert.Equal(("\"two\"", "2"), (payload, version));
        Assert.DoesNotContain("Init Duration", log, StringComparison.Ordinal);
        Assert.Empty(listed["ProvisionedConcurrencyConfigs"]!.AsArray());
    }

    private Task CreateAsync(string name, string answer) => CliFunctions.CreateAsync(_aws, _work, name, answer);

    private Task UpdateCodeAsync(string name, string answer) => CliFunctions.UpdateCodeAsync(_aws, _work, name, answer);

    /// <summary>Invokes through the CLI with the log tail: the payload, the version that ran and its log.</summary>
    private async Task<(string Payload, string Version, string Log)> InvokeAsync(string function, string qualifier)
    {
        var output = Path.Combine(_work, Guid.NewGuid().ToString("N") + ".json");
        var result = await _aws.JsonAsync("invoke", "--function-name", function, "--qualifier", qualifier, "--log-type", "Tail", output);
        return (await File.ReadAllTextAsync(output), (string)result["ExecutedVersion"]!, Encoding.UTF8.GetString(Convert.FromBase64String((string)result["LogResult"]!)));
    }
}
