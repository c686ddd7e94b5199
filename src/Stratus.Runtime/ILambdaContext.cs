namespace Stratus.Runtime;

/// <summary>What a handler knows about the invocation it is serving and the function it belongs to.</summary>
public interface ILambdaContext
{
    /// <summary>The invocation's request id (also in the START/END/REPORT log lines).</summary>
    string AwsRequestId { get; }

    string FunctionName { get; }

    string FunctionVersion { get; }

    string InvokedFunctionArn { get; }

    int MemoryLimitInMB { get; }

    string LogGroupName { get; }

    string LogStreamName { get; }

    /// <summary>The trace header of this invocation (also in <c>_X_AMZN_TRACE_ID</c>).</summary>
    string TraceId { get; }

    /// <summary>The caller's client context (JSON), when the invoke carried one.</summary>
    string? ClientContext { get; }

    /// <summary>Time left before the invocation times out.</summary>
    TimeSpan RemainingTime { get; }

    /// <summary>A logger whose lines land in the invocation's log.</summary>
    ILambdaLogger Logger { get; }
}
