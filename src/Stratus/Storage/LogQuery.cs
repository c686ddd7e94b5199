namespace Stratus.Storage;

/// <summary>
/// Which logs to read: one function's, optionally within [<see cref="Start"/>, <see cref="End"/>),
/// of one request, containing a text (case-sensitive), older than the record <see cref="Before"/>, newest first by time.
/// </summary>
public sealed record LogQuery(string FunctionName, int Limit)
{
    public DateTimeOffset? Start { get; init; }

    public DateTimeOffset? End { get; init; }

    public string? RequestId { get; init; }

    public string? Filter { get; init; }

    /// <summary>Only records older than this one, by time and then id (a page's <see cref="LogPage.Before"/>).</summary>
    public long? Before { get; init; }
}

/// <summary>A page of logs, oldest first; <see cref="Before"/> is set when older matching records remain.</summary>
public sealed record LogPage(IReadOnlyList<LogRecord> Records, long? Before);
