namespace Stratus.Runtime;

/// <summary>Writes to the function's log (its standard output, which Stratus captures per invocation).</summary>
public interface ILambdaLogger
{
    void Log(string message);

    void LogLine(string message);

    void LogInformation(string message) => LogLine("[Information] " + message);

    void LogWarning(string message) => LogLine("[Warning] " + message);

    void LogError(string message) => LogLine("[Error] " + message);
}
