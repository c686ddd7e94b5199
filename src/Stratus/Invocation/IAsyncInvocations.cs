namespace Stratus.Invocation;

/// <summary>
/// Accepts asynchronous invocations (InvocationType Event, schedule ticks, destinations to a
/// function). Once <see cref="EnqueueAsync"/> has completed, the event is durable: it runs at least
/// once, whatever happens to the server afterwards.
/// </summary>
public interface IAsyncInvocations
{
    /// <summary>
    /// Accepts <paramref name="invocation"/>. An event whose <see cref="AsyncEvent.DeduplicationKey"/>
    /// was accepted before is not accepted again: the earlier request id is returned, marked duplicate
    /// (a schedule uses the tick as its key, so a tick re-sent after a crash runs once).
    /// </summary>
    ValueTask<AsyncAccepted> EnqueueAsync(AsyncEvent invocation, CancellationToken cancellationToken = default);
}

/// <summary>One asynchronous invocation of a function (and optional qualifier) with its payload.</summary>
/// <param name="Source">Who sent it, for logs and destination records: "invoke", "schedule", "destination".</param>
public sealed record AsyncEvent(string FunctionName, string? Qualifier, byte[] Payload, string Source, string? DeduplicationKey = null)
{
    /// <summary>The request id to give the invocation; a new one when null.</summary>
    public string? RequestId { get; init; }
}

/// <summary>The request id an accepted event runs under, and whether it had been accepted before.</summary>
public sealed record AsyncAccepted(string RequestId, bool Duplicate);
