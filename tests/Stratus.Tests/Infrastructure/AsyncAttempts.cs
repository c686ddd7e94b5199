using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Invocation;

namespace Stratus.Tests.Infrastructure;

/// <summary>
/// Watches a server's async dispatcher: every settled run of an event, in order. The explicit signal
/// tests wait on instead of sleeping: a run is reported once the queue holds its outcome.
/// </summary>
public sealed class AsyncAttempts
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Channel<AsyncAttempt>> _attempts = new(StringComparer.Ordinal);

    public AsyncAttempts(StratusHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        // Subscribed for the server's lifetime: the dispatcher goes with the server.
        host.Server.Services.GetRequiredService<AsyncDispatcher>().Settled += OnSettled;
    }

    /// <summary>The next settled run of <paramref name="functionName"/>.</summary>
    public async Task<AsyncAttempt> NextAsync(string functionName)
    {
        using var patience = new CancellationTokenSource(Patience);
        return await Of(functionName).Reader.ReadAsync(patience.Token);
    }

    private Channel<AsyncAttempt> Of(string functionName) => _attempts.GetOrAdd(functionName, _ => Channel.CreateUnbounded<AsyncAttempt>());

    private void OnSettled(AsyncAttempt attempt) => Of(attempt.FunctionName).Writer.TryWrite(attempt);
}
