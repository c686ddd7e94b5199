namespace Stratus.Storage;

/// <summary>
/// One invocation's captured log: its START..REPORT text, and the log stream (Lambda's
/// <c>YYYY/MM/DD/[version]instance-id</c>) of the instance that ran it. <see cref="Id"/> is the
/// store's sequence number (0 until stored).
/// </summary>
public sealed record LogRecord(string FunctionName, string RequestId, DateTimeOffset Timestamp, string Text, string LogStream = "")
{
    public long Id { get; init; }
}

/// <summary>Durable home of function logs.</summary>
public interface ILogStore
{
    void Append(IReadOnlyList<LogRecord> records);

    /// <summary>The newest <paramref name="limit"/> records of a function, oldest first.</summary>
    IReadOnlyList<LogRecord> Tail(string functionName, int limit);

    /// <summary>The newest records matching <paramref name="query"/>, oldest first, with a token for older ones.</summary>
    LogPage Query(LogQuery query);

    /// <summary>Deletes records older than <paramref name="olderThan"/>, then the oldest until the text stored fits <paramref name="maxBytes"/>.</summary>
    /// <returns>How many records were deleted.</returns>
    int Prune(DateTimeOffset olderThan, long maxBytes);
}
