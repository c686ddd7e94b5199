namespace Stratus.Storage;

/// <summary>One invocation's captured log: its START..REPORT text.</summary>
public sealed record LogRecord(string FunctionName, string RequestId, DateTimeOffset Timestamp, string Text);

/// <summary>Durable home of function logs.</summary>
public interface ILogStore
{
    void Append(IReadOnlyList<LogRecord> records);

    /// <summary>The newest <paramref name="limit"/> records of a function, oldest first.</summary>
    IReadOnlyList<LogRecord> Tail(string functionName, int limit);
}
