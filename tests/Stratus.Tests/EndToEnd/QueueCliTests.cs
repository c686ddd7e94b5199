using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// The real AWS CLI (<c>/usr/bin/aws</c>) with Stratus's queues: <c>aws sqs</c> basics (this CLI
/// speaks SQS's query protocol) and <c>aws lambda … event-source-mapping</c>.
/// </summary>
public sealed class QueueCliTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "stratus-queue-cli-tests", Guid.NewGuid().ToString("N"));
    private StratusHost _host = null!;
    private AwsCli _lambda = null!;
    private AwsCli _sqs = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(AwsCli.Program), $"The AWS CLI v2 is required at {AwsCli.Program} (Debian package awscli).");
        Directory.CreateDirectory(_work);
        _host = await StratusHost.StartAsync();
        _lambda = new AwsCli(_host.Endpoint, _work);
        _sqs = new AwsCli(_host.Endpoint, _work, "sqs");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task AwsSqs_CreateSendReceiveDelete_WorksWithTheCli()
    {
        var url = (string)(await _sqs.JsonAsync("create-queue", "--queue-name", "cli-jobs", "--attributes", "VisibilityTimeout=40"))["QueueUrl"]!;
        var sent = await _sqs.JsonAsync("send-message", "--queue-url", url, "--message-body", "from the cli",
            "--message-attributes", """{"kind":{"DataType":"String","StringValue":"test"}}""");
        await _sqs.JsonAsync("send-message-batch", "--queue-url", url, "--entries", "Id=a,MessageBody=one", "Id=b,MessageBody=two");
        var received = await _sqs.JsonAsync("receive-message", "--queue-url", url, "--max-number-of-messages", "10",
            "--attribute-names", "All", "--message-attribute-names", "All", "--wait-time-seconds", "1");
        var attributes = await _sqs.JsonAsync("get-queue-attributes", "--queue-url", url, "--attribute-names", "All");
        var listed = await _sqs.JsonAsync("list-queues", "--queue-name-prefix", "cli-");
        var messages = received["Messages"]!.AsArray();
        foreach (var message in messages)
        {
            await _sqs.SucceedsAsync("delete-message", "--queue-url", url, "--receipt-handle", (string)message!["ReceiptHandle"]!);
        }

        await _sqs.SucceedsAsync("delete-queue", "--queue-url", url);
        var missing = await _sqs.RunAsync("get-queue-url", "--queue-name", "cli-jobs");

        Assert.Equal($"{_host.Endpoint}/000000000000/cli-jobs", url);
        Assert.Equal(["from the cli", "one", "two"], messages.Select(m => (string)m!["Body"]!).Order());
        var first = messages.Single(m => (string?)m!["MessageId"] == (string?)sent["MessageId"])!;
        Assert.Equal("test", (string?)first["MessageAttributes"]!["kind"]!["StringValue"]);
        Assert.Equal("1", (string?)first["Attributes"]!["ApproximateReceiveCount"]);
        Assert.Equal("40", (string?)attributes["Attributes"]!["VisibilityTimeout"]);
        Assert.Equal("3", (string?)attributes["Attributes"]!["ApproximateNumberOfMessagesNotVisible"]);
        Assert.Equal([url], listed["QueueUrls"]!.AsArray().Select(u => (string)u!));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("AWS.SimpleQueueService.NonExistentQueue", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsLambda_EventSourceMappingLifecycle_CreateGetListUpdateDelete()
    {
        await _host.CreateFunctionAsync("esm-target", "nodejs20.x", "index.handler", Zips.NodeEcho());
        await _sqs.JsonAsync("create-queue", "--queue-name", "esm-source");
        const string arn = "arn:aws:sqs:us-east-1:000000000000:esm-source";

        var created = await _lambda.JsonAsync("create-event-source-mapping", "--function-name", "esm-target", "--event-source-arn", arn,
            "--batch-size", "5", "--function-response-types", "ReportBatchItemFailures", "--scaling-config", "MaximumConcurrency=2");
        var uuid = (string)created["UUID"]!;
        var got = await _lambda.JsonAsync("get-event-source-mapping", "--uuid", uuid);
        var listed = await _lambda.JsonAsync("list-event-source-mappings", "--function-name", "esm-target");
        var updated = await _lambda.JsonAsync("update-event-source-mapping", "--uuid", uuid, "--batch-size", "3", "--no-enabled");
        var disabled = await _lambda.JsonAsync("get-event-source-mapping", "--uuid", uuid);
        var deleted = await _lambda.JsonAsync("delete-event-source-mapping", "--uuid", uuid);
        var gone = await _lambda.RunAsync("get-event-source-mapping", "--uuid", uuid);

        Assert.Equal("Creating", (string?)created["State"]);
        Assert.Equal(arn, (string?)created["EventSourceArn"]);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:esm-target", (string?)created["FunctionArn"]);
        Assert.Equal("Enabled", (string?)got["State"]);
        Assert.Equal(5, (int)got["BatchSize"]!);
        Assert.Equal(["ReportBatchItemFailures"], got["FunctionResponseTypes"]!.AsArray().Select(t => (string)t!));
        Assert.Equal(2, (int)got["ScalingConfig"]!["MaximumConcurrency"]!);
        Assert.Equal(uuid, (string?)listed["EventSourceMappings"]![0]!["UUID"]);
        Assert.Equal("Disabling", (string?)updated["State"]);
        Assert.Equal(3, (int)disabled["BatchSize"]!);
        Assert.Equal("Disabled", (string?)disabled["State"]);
        Assert.Equal("Deleting", (string?)deleted["State"]);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("ResourceNotFoundException", gone.Stderr, StringComparison.Ordinal);
    }
}
