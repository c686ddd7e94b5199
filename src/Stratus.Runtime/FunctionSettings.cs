using System.Globalization;

namespace Stratus.Runtime;

/// <summary>The function-wide values Lambda gives a runtime in its environment, read once at start.</summary>
internal sealed record FunctionSettings(string Name, string Version, int MemoryMegabytes, string LogGroupName, string LogStreamName)
{
    public static FunctionSettings FromEnvironment() => new(
        Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME") ?? "",
        Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_VERSION") ?? "$LATEST",
        int.TryParse(Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), NumberStyles.None, CultureInfo.InvariantCulture, out var memory) ? memory : 128,
        Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_GROUP_NAME") ?? "",
        Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_STREAM_NAME") ?? "");
}
