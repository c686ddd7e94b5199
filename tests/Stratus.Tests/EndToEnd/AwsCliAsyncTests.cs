using System.Text.Json.Nodes;
using Stratus.Invocation;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// Asynchronous invocation through the real AWS CLI v2: <c>invoke --invocation-type Event</c>, the
/// event invoke config commands and the dead-letter config, as a CLI user sees them.
/// </summary>
public sealed class AwsCliAsyncTests : IAsyncLifetime
{
    private const string Role = "arn:aws:iam::123456789012:role/lambda-role";
    private const string DeadLetters = "arn:aws:sqs:us-east-1:000000000000:dead-letters";
    private const string SinkArn = "arn:aws:lambda:us-east-1:000000000000:function:sink";
    private const int ServiceErrorExitCode = 254;

    private readonly string _work = Path.Combine(Path.GetTempPath(), "stratus-awscli-async", Guid.NewGuid().ToString("N"));
    private StratusHost _host = null!;
    private AwsCli _aws = null!;
    private AsyncAttempts _attempts = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(AwsCli.Program), $"The AWS CLI v2 is required at {AwsCli.Program} (Debian package awscli).");
        Directory.CreateDirectory(_work);
        _host = await StratusHost.StartAsync();
        _aws = new AwsCli(_host.Endpoint, _work);
        _attempts = new AsyncAttempts(_host);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task InvokeEvent_WithOnSuccessFunction_Prints202AndTheSinkGetsTheRecord()
    {
        await CreateAsync("work", "exports.handler = async (event) => ({ doubled: event.n * 2 });");
        await CreateAsync("sink", "exports.handler = async (event) => event;");
        await _aws.JsonAsync("put-function-event-invoke-config", "--function-name", "work", "--destination-config", Destination("OnSuccess", SinkArn));

        var invoked = await _aws.JsonAsync("invoke", "--function-name", "work", "--invocation-type", "Event", "--cli-binary-format", "raw-in-base64-out", "--payload", """{"n":21}""", Path.Combine(_work, "out.json"));
        var ran = await _attempts.NextAsync("work");
        var record = JsonNode.Parse((await _attempts.NextAsync("sink")).Response.Span)!;

        Assert.Equal(202, (int?)invoked["StatusCode"]);
        Assert.Equal(AsyncAttempt.Succeeded, ran.Outcome);
        Assert.Equal("Success", (string?)record["requestContext"]!["condition"]);
        Assert.Equal(ran.RequestId, (string?)record["requestContext"]!["requestId"]);
        Assert.Equal(21, (int?)record["requestPayload"]!["n"]);
        Assert.Equal(42, (int?)record["responsePayload"]!["doubled"]);
    }

    [Fact]
    public async Task EventInvokeConfigCommands_PutGetUpdateListDelete_BehaveAsLambda()
    {
        await CreateAsync("configured", "exports.handler = async () => 1;");

        var put = await _aws.JsonAsync("put-function-event-invoke-config", "--function-name", "configured", "--maximum-retry-attempts", "1", "--maximum-event-age-in-seconds", "120", "--destination-config", Destination("OnFailure", DeadLetters));
        var update = await _aws.JsonAsync("update-function-event-invoke-config", "--function-name", "configured", "--maximum-retry-attempts", "0");
        var get = await _aws.JsonAsync("get-function-event-invoke-config", "--function-name", "configured");
        var list = await _aws.JsonAsync("list-function-event-invoke-configs", "--function-name", "configured");
        var tooMany = await _aws.RunAsync("put-function-event-invoke-config", "--function-name", "configured", "--maximum-retry-attempts", "3");
        var badDestination = await _aws.RunAsync("put-function-event-invoke-config", "--function-name", "configured", "--destination-config", """{"OnSuccess":{"Destination":"arn:aws:s3:::bucket"}}""");
        await _aws.SucceedsAsync("delete-function-event-invoke-config", "--function-name", "configured");
        var gone = await _aws.RunAsync("get-function-event-invoke-config", "--function-name", "configured");

        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:configured:$LATEST", (string?)put["FunctionArn"]);
        Assert.Equal((1, 120), ((int?)put["MaximumRetryAttempts"], (int?)put["MaximumEventAgeInSeconds"]));
        Assert.Equal(DeadLetters, (string?)put["DestinationConfig"]!["OnFailure"]!["Destination"]);
        Assert.NotNull((string?)put["LastModified"]);
        Assert.Equal((0, 120), ((int?)update["MaximumRetryAttempts"], (int?)update["MaximumEventAgeInSeconds"]));
        Assert.Equal(DeadLetters, (string?)update["DestinationConfig"]!["OnFailure"]!["Destination"]);
        Assert.Equal(update.ToJsonString(), get.ToJsonString());
        Assert.Equal(get.ToJsonString(), list["FunctionEventInvokeConfigs"]!.AsArray().Single()!.ToJsonString());
        Assert.Equal(ServiceErrorExitCode, tooMany.ExitCode);
        Assert.Contains("InvalidParameterValueException", tooMany.Stderr, StringComparison.Ordinal);
        Assert.Equal(ServiceErrorExitCode, badDestination.ExitCode);
        Assert.Contains("InvalidParameterValueException", badDestination.Stderr, StringComparison.Ordinal);
        Assert.Equal(ServiceErrorExitCode, gone.ExitCode);
        Assert.Contains("ResourceNotFoundException", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetterConfig_SetOnCreateAndClearedOnUpdate_ShowsInTheConfiguration()
    {
        var created = await CreateAsync("with-dlq", "exports.handler = async () => 1;", "--dead-letter-config", "TargetArn=" + DeadLetters);
        var shown = await _aws.JsonAsync("get-function-configuration", "--function-name", "with-dlq");
        var cleared = await _aws.JsonAsync("update-function-configuration", "--function-name", "with-dlq", "--dead-letter-config", "TargetArn=");
        await _aws.SucceedsAsync("wait", "function-updated-v2", "--function-name", "with-dlq");
        var notAQueue = await _aws.RunAsync("update-function-configuration", "--function-name", "with-dlq", "--dead-letter-config", "TargetArn=arn:aws:sns:us-east-1:000000000000:topic");

        Assert.Equal(DeadLetters, (string?)created["DeadLetterConfig"]!["TargetArn"]);
        Assert.Equal(DeadLetters, (string?)shown["DeadLetterConfig"]!["TargetArn"]);
        Assert.Null(cleared["DeadLetterConfig"]);
        Assert.Equal(ServiceErrorExitCode, notAQueue.ExitCode);
        Assert.Contains("InvalidParameterValueException", notAQueue.Stderr, StringComparison.Ordinal);
    }

    private static string Destination(string condition, string arn) => "{\"" + condition + "\":{\"Destination\":\"" + arn + "\"}}";

    private async Task<JsonNode> CreateAsync(string name, string code, params string[] extra)
    {
        var zip = Path.Combine(_work, name + ".zip");
        await File.WriteAllBytesAsync(zip, Zips.Create(("index.js", code)));
        return await _aws.JsonAsync(["create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "index.handler", "--role", Role, "--zip-file", "fileb://" + zip, .. extra]);
    }
}
