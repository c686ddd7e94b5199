using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Stratus.Api;

namespace Stratus.Functions;

/// <summary>Checks what Lambda checks before it accepts a configuration, with Lambda's messages.</summary>
internal static partial class FunctionValidator
{
    private static readonly HashSet<string> ReservedVariables = new(StringComparer.Ordinal)
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    };

    public static void Validate(FunctionDefinition function)
    {
        var name = function.FunctionName;
        if (name.Length is 0 or > 64 || !NamePattern().IsMatch(name))
        {
            throw LambdaException.InvalidParameter(
                $"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length less than or equal to 64");
        }

        if (!Runtimes.TryGetFamily(function.Runtime, out var family))
        {
            throw LambdaException.InvalidParameter(
                $"Value {function.Runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", Runtimes.All)}]");
        }

        if (!RolePattern().IsMatch(function.Role))
        {
            throw LambdaException.InvalidParameter(
                $"1 validation error detected: Value '{function.Role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{{12}}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
        }

        if (family != RuntimeFamily.Provided && function.Handler.Length == 0)
        {
            throw LambdaException.InvalidParameter($"The Handler is required for runtime {function.Runtime}.");
        }

        if (function.Handler.Length > 128 || (function.Handler.Length > 0 && !HandlerPattern().IsMatch(function.Handler)))
        {
            throw LambdaException.InvalidParameter(
                $"1 validation error detected: Value '{function.Handler}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+ and have length less than or equal to 128");
        }

        if (function.MemorySize is < FunctionLimits.MinMemoryMb or > FunctionLimits.MaxMemoryMb)
        {
            throw LambdaException.InvalidParameter(
                $"1 validation error detected: Value '{function.MemorySize}' at 'memorySize' failed to satisfy constraint: Member must have value between {FunctionLimits.MinMemoryMb} and {FunctionLimits.MaxMemoryMb} MB");
        }

        if (function.EphemeralStorageMb is < FunctionLimits.DefaultEphemeralStorageMb or > FunctionLimits.MaxEphemeralStorageMb)
        {
            throw LambdaException.InvalidParameter(
                $"1 validation error detected: Value '{function.EphemeralStorageMb}' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value between {FunctionLimits.DefaultEphemeralStorageMb} and {FunctionLimits.MaxEphemeralStorageMb}");
        }

        if (function.Timeout is < FunctionLimits.MinTimeoutSeconds or > FunctionLimits.MaxTimeoutSeconds)
        {
            throw LambdaException.InvalidParameter(
                $"1 validation error detected: Value '{function.Timeout}' at 'timeout' failed to satisfy constraint: Member must have value between {FunctionLimits.MinTimeoutSeconds} and {FunctionLimits.MaxTimeoutSeconds} seconds");
        }

        if (function.Description.Length > 256)
        {
            throw LambdaException.InvalidParameter("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256");
        }

        ValidateEnvironment(function.Environment);
    }

    private static void ValidateEnvironment(IReadOnlyDictionary<string, string> variables)
    {
        foreach (var key in variables.Keys)
        {
            if (!VariablePattern().IsMatch(key))
            {
                throw LambdaException.InvalidParameter(
                    $"1 validation error detected: Value '{key}' at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
            }
        }

        var reserved = variables.Keys.Where(ReservedVariables.Contains).ToList();
        if (reserved.Count > 0)
        {
            throw LambdaException.InvalidParameter(
                "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: " +
                string.Join(", ", reserved));
        }

        // Lambda measures the variables as the JSON object it would store.
        var measured = JsonSerializer.Serialize(variables.ToDictionary(), ApiJson.Default.DictionaryStringString);
        if (Encoding.UTF8.GetByteCount(measured) > FunctionLimits.MaxEnvironmentBytes)
        {
            throw LambdaException.InvalidParameter(
                "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: " + measured);
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9\\-_]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-/]+$")]
    private static partial Regex RolePattern();

    [GeneratedRegex(@"^[^\s]+$")]
    private static partial Regex HandlerPattern();

    [GeneratedRegex("^[a-zA-Z]([a-zA-Z0-9_])+$")]
    private static partial Regex VariablePattern();
}
