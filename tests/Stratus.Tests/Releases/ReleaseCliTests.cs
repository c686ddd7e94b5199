using System.Text.Json.Nodes;
using Stratus.Tests.EndToEnd;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Releases;

/// <summary>
/// Versions and aliases driven by the real AWS CLI v2: publish, list, route by alias, canary weights,
/// RevisionId preconditions and deleting versions, as a user of Lambda runs them.
/// </summary>
public sealed class ReleaseCliTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "stratus-release-tests", Guid.NewGuid().ToString("N"));
    private StratusHost _host = null!;
    private AwsCli _aws = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        _host = await StratusHost.StartAsync(o => o.RoutingSeed = 7);
        _aws = new AwsCli(_host.Endpoint, _work);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task PublishVersion_ThenNewCode_VersionKeepsItsCodeAndLatestRunsTheNew()
    {
        await CreateAsync("keep", "one");
        var published = await _aws.JsonAsync("publish-version", "--function-name", "keep", "--description", "first release");
        await UpdateCodeAsync("keep", "two");

        Assert.Equal("1", (string?)published["Version"]);
        Assert.Equal("first release", (string?)published["Description"]);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:keep:1", (string?)published["FunctionArn"]);
        Assert.Equal(("\"one\"", "1"), await InvokeAsync("keep", "1"));
        Assert.Equal(("\"two\"", "$LATEST"), await InvokeAsync("keep", null));
        Assert.Equal(("\"one\"", "1"), await InvokeAsync("keep:1", null));
        var configuration = await _aws.JsonAsync("get-function-configuration", "--function-name", "keep", "--qualifier", "1");
        Assert.Equal((string?)published["CodeSha256"], (string?)configuration["CodeSha256"]);
    }

    [Fact]
    public async Task PublishVersion_NothingChanged_ReturnsTheLastVersionAndNumbersAreNeverReused()
    {
        await CreateAsync("numbers", "one");
        var first = await _aws.JsonAsync("publish-version", "--function-name", "numbers");
        var again = await _aws.JsonAsync("publish-version", "--function-name", "numbers");
        await UpdateCodeAsync("numbers", "two");
        var second = await _aws.JsonAsync("publish-version", "--function-name", "numbers");
        await _aws.SucceedsAsync("delete-function", "--function-name", "numbers", "--qualifier", "2");
        await UpdateCodeAsync("numbers", "three");
        var third = await _aws.JsonAsync("publish-version", "--function-name", "numbers");
        var listed = await _aws.JsonAsync("list-versions-by-function", "--function-name", "numbers");

        Assert.Equal("1", (string?)first["Version"]);
        Assert.Equal("1", (string?)again["Version"]);
        Assert.Equal("2", (string?)second["Version"]);
        Assert.Equal("3", (string?)third["Version"]);
        Assert.Equal(["$LATEST", "1", "3"], listed["Versions"]!.AsArray().Select(v => (string?)v!["Version"]));
    }

    [Fact]
    public async Task PublishFlag_OnCreateAndUpdateCode_PublishesTheNewCodeAsAVersion()
    {
        var zip = Path.Combine(_work, "flag.zip");
        await File.WriteAllBytesAsync(zip, Zips.Create(("index.js", "exports.handler = async () => 'one';")));
        var created = await _aws.JsonAsync("create-function", "--function-name", "flag", "--runtime", "nodejs20.x", "--handler", "index.handler",
            "--role", "arn:aws:iam::123456789012:role/lambda-role", "--zip-file", "fileb://" + zip, "--publish");
        await File.WriteAllBytesAsync(zip, Zips.Create(("index.js", "exports.handler = async () => 'two';")));
        var updated = await _aws.JsonAsync("update-function-code", "--function-name", "flag", "--zip-file", "fileb://" + zip, "--publish");

        Assert.Equal("1", (string?)created["Version"]);
        Assert.Equal("2", (string?)updated["Version"]);
        Assert.Equal(("\"one\"", "1"), await InvokeAsync("flag", "1"));
        Assert.Equal(("\"two\"", "2"), await InvokeAsync("flag", "2"));
    }

    [Fact]
    public async Task Alias_WithRoutingConfig_SplitsInvocationsAndUpdateAliasShiftsThem()
    {
        await CreateAsync("canary", "old");
        await _aws.SucceedsAsync("publish-version", "--function-name", "canary");
        await UpdateCodeAsync("canary", "new");
        await _aws.SucceedsAsync("publish-version", "--function-name", "canary");

        var alias = await _aws.JsonAsync("create-alias", "--function-name", "canary", "--name", "live", "--function-version", "1",
            "--routing-config", """{"AdditionalVersionWeights":{"2":0.5}}""");
        var split = new List<(string Payload, string? Version)>();
        for (var i = 0; i < 40; i++)
        {
            var result = await _host.InvokeAsync("canary:live");
            split.Add((result.Body, result.ExecutedVersion));
        }

        var promoted = await _aws.JsonAsync("update-alias", "--function-name", "canary", "--name", "live", "--function-version", "2",
            "--routing-config", """{"AdditionalVersionWeights":{}}""", "--revision-id", (string)alias["RevisionId"]!);
        var after = await InvokeAsync("canary", "live");

        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:canary:live", (string?)alias["AliasArn"]);
        Assert.Equal(0.5, (double)alias["RoutingConfig"]!["AdditionalVersionWeights"]!["2"]!);
        // Each version answers with its own code, and both get a share.
        Assert.All(split, r => Assert.Equal(r.Version == "1" ? "\"old\"" : "\"new\"", r.Payload));
        Assert.Contains(split, r => r.Version == "1");
        Assert.Contains(split, r => r.Version == "2");
        Assert.Equal("2", (string?)promoted["FunctionVersion"]);
        Assert.Null(promoted["RoutingConfig"]);
        Assert.Equal(("\"new\"", "2"), after);
        var listed = await _aws.JsonAsync("list-aliases", "--function-name", "canary", "--function-version", "2");
        Assert.Equal(["live"], listed["Aliases"]!.AsArray().Select(a => (string?)a!["Name"]));
    }

    [Fact]
    public async Task InvokeEvent_ByAlias_RunsTheAliasVersion()
    {
        var attempts = new AsyncAttempts(_host);
        await CreateAsync("later", "one");
        await _aws.SucceedsAsync("publish-version", "--function-name", "later");
        await UpdateCodeAsync("later", "two");
        await _aws.SucceedsAsync("create-alias", "--function-name", "later", "--name", "stable", "--function-version", "1");

        var queued = await _aws.JsonAsync("invoke", "--function-name", "later", "--qualifier", "stable", "--invocation-type", "Event", Path.Combine(_work, "event.json"));
        var ran = await attempts.NextAsync("later");
        var unknown = await _aws.RunAsync("invoke", "--function-name", "later", "--qualifier", "nope", "--invocation-type", "Event", Path.Combine(_work, "nope.json"));

        Assert.Equal(202, (int?)queued["StatusCode"]);
        Assert.Equal("\"one\"", System.Text.Encoding.UTF8.GetString(ran.Response.Span));
        Assert.Contains("ResourceNotFoundException", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleRevisionIds_AreRefusedWith412AndChangeNothing()
    {
        await CreateAsync("guarded", "one");
        var version = await _aws.JsonAsync("publish-version", "--function-name", "guarded");
        await _aws.SucceedsAsync("create-alias", "--function-name", "guarded", "--name", "prod", "--function-version", "1");
        const string stale = "00000000-0000-0000-0000-000000000000";

        var alias = await _aws.RunAsync("update-alias", "--function-name", "guarded", "--name", "prod", "--function-version", "$LATEST", "--revision-id", stale);
        var publish = await _aws.RunAsync("publish-version", "--function-name", "guarded", "--revision-id", stale);
        var code = await _aws.RunAsync("update-function-configuration", "--function-name", "guarded", "--timeout", "9", "--revision-id", stale);

        foreach (var refused in new[] { alias, publish, code })
        {
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("PreconditionFailedException", refused.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal("1", (string?)(await _aws.JsonAsync("get-alias", "--function-name", "guarded", "--name", "prod"))["FunctionVersion"]);
        Assert.Equal(3, (int)(await _aws.JsonAsync("get-function-configuration", "--function-name", "guarded"))["Timeout"]!);
        Assert.Equal("1", (string?)version["Version"]);
    }

    [Fact]
    public async Task DeleteVersion_WhileAnAliasUsesIt_IsAConflictThenSucceedsOnceTheAliasIsGone()
    {
        await CreateAsync("deleting", "one");
        await _aws.SucceedsAsync("publish-version", "--function-name", "deleting");
        await _aws.SucceedsAsync("create-alias", "--function-name", "deleting", "--name", "prod", "--function-version", "1");

        var refused = await _aws.RunAsync("delete-function", "--function-name", "deleting", "--qualifier", "1");
        await _aws.SucceedsAsync("delete-alias", "--function-name", "deleting", "--name", "prod");
        await _aws.SucceedsAsync("delete-function", "--function-name", "deleting", "--qualifier", "1");
        var gone = await _aws.RunAsync("invoke", "--function-name", "deleting", "--qualifier", "1", Path.Combine(_work, "gone.json"));
        var latest = await _aws.RunAsync("delete-function", "--function-name", "deleting", "--qualifier", "$LATEST");

        Assert.Contains("ResourceConflictException", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("prod", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFoundException", gone.Stderr, StringComparison.Ordinal);
        Assert.Contains("InvalidParameterValueException", latest.Stderr, StringComparison.Ordinal);
        Assert.Equal(("\"one\"", "$LATEST"), await InvokeAsync("deleting", null));
    }

    [Fact]
    public async Task CreateAlias_BadInput_IsRefusedInLambdasShape()
    {
        await CreateAsync("checks", "one");
        await _aws.SucceedsAsync("publish-version", "--function-name", "checks");

        var numeric = await _aws.RunAsync("create-alias", "--function-name", "checks", "--name", "123", "--function-version", "1");
        var missing = await _aws.RunAsync("create-alias", "--function-name", "checks", "--name", "live", "--function-version", "9");
        var latestSplit = await _aws.RunAsync("create-alias", "--function-name", "checks", "--name", "live", "--function-version", "$LATEST",
            "--routing-config", """{"AdditionalVersionWeights":{"1":0.1}}""");
        var tooHeavy = await _aws.RunAsync("create-alias", "--function-name", "checks", "--name", "live", "--function-version", "1",
            "--routing-config", """{"AdditionalVersionWeights":{"1":0.5}}""");
        await _aws.SucceedsAsync("create-alias", "--function-name", "checks", "--name", "live", "--function-version", "1");
        var twice = await _aws.RunAsync("create-alias", "--function-name", "checks", "--name", "live", "--function-version", "1");

        Assert.Contains("ValidationException", numeric.Stderr, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFoundException", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("InvalidParameterValueException", latestSplit.Stderr, StringComparison.Ordinal);
        Assert.Contains("InvalidParameterValueException", tooHeavy.Stderr, StringComparison.Ordinal);
        Assert.Contains("ResourceConflictException", twice.Stderr, StringComparison.Ordinal);
        Assert.Equal(["live"], (await _aws.JsonAsync("list-aliases", "--function-name", "checks"))["Aliases"]!.AsArray().Select(a => (string?)a!["Name"]));
    }

    [Fact]
    public async Task VersionsAndAliases_SurviveARestart()
    {
        var data = Path.Combine(Path.GetTempPath(), "stratus-tests", Guid.NewGuid().ToString("N"));
        await using (var first = await StratusHost.StartAsync(dataDirectory: data))
        {
            var aws = new AwsCli(first.Endpoint, _work);
            await CreateAsync("durable", "one", aws);
            await aws.SucceedsAsync("publish-version", "--function-name", "durable");
            await UpdateCodeAsync("durable", "two", aws);
            await aws.SucceedsAsync("publish-version", "--function-name", "durable");
            await aws.SucceedsAsync("create-alias", "--function-name", "durable", "--name", "prod", "--function-version", "1");
            await first.Server.DisposeAsync();
        }

        await using var restarted = await StratusHost.StartAsync(dataDirectory: data);
        var again = new AwsCli(restarted.Endpoint, _work);
        var versions = await again.JsonAsync("list-versions-by-function", "--function-name", "durable");
        var prod = await restarted.InvokeAsync("durable:prod");
        await UpdateCodeAsync("durable", "three", again);
        var third = await again.JsonAsync("publish-version", "--function-name", "durable");

        Assert.Equal(["$LATEST", "1", "2"], versions["Versions"]!.AsArray().Select(v => (string?)v!["Version"]));
        Assert.Equal(("\"one\"", "1"), (prod.Body, prod.ExecutedVersion));
        Assert.Equal("3", (string?)third["Version"]);
    }

    private Task CreateAsync(string name, string answer, AwsCli? aws = null) => CliFunctions.CreateAsync(aws ?? _aws, _work, name, answer);

    private Task UpdateCodeAsync(string name, string answer, AwsCli? aws = null) => CliFunctions.UpdateCodeAsync(aws ?? _aws, _work, name, answer);

    /// <summary>Invokes through the CLI and returns the payload and the version that ran (ExecutedVersion).</summary>
    private async Task<(string Payload, string Version)> InvokeAsync(string function, string? qualifier)
    {
        var output = Path.Combine(_work, Guid.NewGuid().ToString("N") + ".json");
        var result = await _aws.JsonAsync(qualifier is null
            ? ["invoke", "--function-name", function, output]
            : ["invoke", "--function-name", function, "--qualifier", qualifier, output]);
        return (await File.ReadAllTextAsync(output), (string)result["ExecutedVersion"]!);
    }
}
