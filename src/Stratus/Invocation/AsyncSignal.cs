using System.Threading.Channels;

namespace Stratus.Invocation;

/// <summary>
/// Wakes the dispatcher: set when an event is accepted or a running one finishes. Sets while nobody
/// waits coalesce into one wake-up.
/// </summary>
public sealed class AsyncSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>Waits until set or until <paramref name="timeout"/> (on <paramref name="time"/>) has passed.</summary>
    public async Task WaitAsync(TimeSpan? timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!_channel.Reader.TryRead(out _))
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var signalled = _channel.Reader.WaitToReadAsync(wait.Token).AsTask();
            if (timeout is { } delay)
            {
                await Task.WhenAny(signalled, Task.Delay(delay, time, wait.Token));
            }
            else
            {
                await Task.WhenAny(signalled);
            }

            await wait.CancelAsync();
            _channel.Reader.TryRead(out _);
        }
    }
}
