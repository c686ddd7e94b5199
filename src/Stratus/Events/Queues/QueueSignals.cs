using System.Collections.Concurrent;

namespace Stratus.Events.Queues;

/// <summary>
/// Wakes long polls when a queue may have new visible messages. A waiter takes the queue's current
/// signal before it looks at the queue, so a message sent in between still wakes it.
/// </summary>
internal sealed class QueueSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    public Task Current(string queue) =>
        _signals.GetOrAdd(queue, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Pulse(string queue)
    {
        if (_signals.TryRemove(queue, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
