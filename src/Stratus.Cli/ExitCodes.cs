namespace Stratus.Cli;

/// <summary>Exit codes scripts can rely on; the README lists them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The server refused the request (a Lambda error such as ResourceNotFoundException).</summary>
    public const int RequestFailed = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>No server answered at the endpoint.</summary>
    public const int Unreachable = 3;

    /// <summary>The invocation ran and the function failed (X-Amz-Function-Error).</summary>
    public const int FunctionError = 4;
}
