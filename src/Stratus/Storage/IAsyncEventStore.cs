namespace Stratus.Storage;

/// <summary>
/// The durable queue of accepted asynchronous invocations. An event is stored when
/// <see cref="EnqueueAsync"/> completes and stays until <see cref="Complete"/>; a server that dies while
/// holding a lease leaves the event to the next one.
/// </summary>
public interface IAsyncEventStore
{
    /// <summary>
    /// Stores <paramref name="queued"/>, or returns the request id stored earlier under the same
    /// deduplication key (marked duplicate) without storing anything.
    /// </summary>
    Task<Invocation.AsyncAccepted> EnqueueAsync(QueuedEvent queued, CancellationToken cancellationToken = default);

    /// <summary>Claims up to <paramref name="max"/> events due at <paramref name="now"/> until <paramref name="leaseUntil"/>.</summary>
    IReadOnlyList<StoredEvent> Lease(DateTimeOffset now, DateTimeOffset leaseUntil, int max);

    /// <summary>When the next event falls due (unleased or with an expired lease), if any.</summary>
    DateTimeOffset? NextDue();

    /// <summary>Events stored and not yet done (waiting, leased or waiting for a retry), and when the oldest was accepted.</summary>
    AsyncBacklog Backlog();

    /// <summary>Gives back every lease: what a starting server does, since no other server shares the store.</summary>
    void ReleaseLeases(DateTimeOffset now);

    /// <summary>Puts a leased event back, due at <paramref name="dueAt"/>, with its counters.</summary>
    void Reschedule(long id, DateTimeOffset dueAt, int attempts, int invokes, int throttles);

    /// <summary>Removes an event that is done (succeeded, or failed and its failure delivered).</summary>
    void Complete(long id);

    /// <summary>Forgets deduplication keys accepted before <paramref name="before"/>.</summary>
    void PruneDeduplicationKeys(DateTimeOffset before);
}

/// <summary>An event to store.</summary>
public sealed record QueuedEvent(string RequestId, string FunctionName, string? Qualifier, byte[] Payload, string Source, string? DeduplicationKey, DateTimeOffset AcceptedAt);

/// <summary>An event as stored, with its progress: function-error attempts, invokes and throttles so far.</summary>
public sealed record StoredEvent(long Id, string RequestId, string FunctionName, string? Qualifier, byte[] Payload, string Source, DateTimeOffset AcceptedAt, int Attempts, int Invokes, int Throttles);

/// <summary>The durable queue's backlog: how many events it holds and when the oldest was accepted (null when empty).</summary>
public sealed record AsyncBacklog(long Events, DateTimeOffset? OldestAcceptedAt);
