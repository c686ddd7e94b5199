namespace Stratus.Runtime.Testing;

/// <summary>A context for calling a handler from a unit test, with values the test chooses.</summary>
public sealed class TestLambdaContext : ILambdaContext
{
    public string AwsRequestId { get; set; } = "00000000-0000-0000-0000-000000000000";

    public string FunctionName { get; set; } = "test-function";

    public string FunctionVersion { get; set; } = "$LATEST";

    public string InvokedFunctionArn { get; set; } = "arn:aws:lambda:us-east-1:000000000000:function:test-function";

    public int MemoryLimitInMB { get; set; } = 128;

    public string LogGroupName { get; set; } = "/aws/lambda/test-function";

    public string LogStreamName { get; set; } = "test";

    public string TraceId { get; set; } = "";

    public string? ClientContext { get; set; }

    public TimeSpan RemainingTime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Keeps what the handler logs, for the test to read.</summary>
    public TestLambdaLogger Logger { get; } = new();

    ILambdaLogger ILambdaContext.Logger => Logger;
}
