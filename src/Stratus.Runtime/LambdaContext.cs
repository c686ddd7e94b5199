namespace Stratus.Runtime;

/// <summary>The context of one invocation: the function's settings (read once) plus the request's headers.</summary>
internal sealed class LambdaContext : ILambdaContext
{
    private readonly FunctionSettings _function;
    private readonly long _deadlineMs;
    private readonly TimeProvider _time;

    public LambdaContext(FunctionSettings function, InvocationRequest request, TimeProvider time)
    {
        _function = function;
        _deadlineMs = request.DeadlineMs;
        _time = time;
        AwsRequestId = request.RequestId;
        InvokedFunctionArn = request.InvokedFunctionArn;
        TraceId = request.TraceId;
        ClientContext = request.ClientContext;
    }

    public string AwsRequestId { get; }

    public string FunctionName => _function.Name;

    public string FunctionVersion => _function.Version;

    public string InvokedFunctionArn { get; }

    public int MemoryLimitInMB => _function.MemoryMegabytes;

    public string LogGroupName => _function.LogGroupName;

    public string LogStreamName => _function.LogStreamName;

    public string TraceId { get; }

    public string? ClientContext { get; }

    public TimeSpan RemainingTime => TimeSpan.FromMilliseconds(Math.Max(0, _deadlineMs - _time.GetUtcNow().ToUnixTimeMilliseconds()));

    public ILambdaLogger Logger => ConsoleLambdaLogger.Instance;
}
