using System.Collections.Concurrent;
using Stratus.Api;
using Stratus.Invocation;

namespace Stratus.Tests.Events;

/// <summary>
/// IAsyncInvocations as its contract promises, kept across scheduler restarts: records what it
/// accepts and accepts a deduplication key once.
/// </summary>
internal sealed class RecordingInvocations : IAsyncInvocations
{
    private readonly ConcurrentDictionary<string, string> _keys = new(StringComparer.Ordinal);

    public ConcurrentQueue<AsyncEvent> Accepted { get; } = new();

    public ConcurrentQueue<AsyncEvent> Duplicates { get; } = new();

    /// <summary>When set, every event is refused with this error (a deleted function).</summary>
    public LambdaException? Failure { get; set; }

    public ValueTask<AsyncAccepted> EnqueueAsync(AsyncEvent invocation, CancellationToken cancellationToken = default)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        var id = Guid.NewGuid().ToString();
        if (!_keys.TryAdd(invocation.DeduplicationKey!, id))
        {
            Duplicates.Enqueue(invocation);
            return ValueTask.FromResult(new AsyncAccepted(_keys[invocation.DeduplicationKey!], Duplicate: true));
        }

        Accepted.Enqueue(invocation);
        return ValueTask.FromResult(new AsyncAccepted(id, Duplicate: false));
    }
}
