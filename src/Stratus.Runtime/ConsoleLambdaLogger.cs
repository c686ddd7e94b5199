namespace Stratus.Runtime;

/// <summary>Standard output is the log: Stratus puts it between the invocation's START and END lines.</summary>
internal sealed class ConsoleLambdaLogger : ILambdaLogger
{
    public static readonly ConsoleLambdaLogger Instance = new();

    public void Log(string message) => Console.Out.Write(message);

    public void LogLine(string message) => Console.Out.WriteLine(message);
}
