using Stratus.Api;
using Stratus.Execution;
using Stratus.Functions;

namespace Stratus.Invocation;

/// <summary>
/// Runs an accepted event right away in the background, in memory only: the first step of
/// <see cref="IAsyncInvocations"/>, until the durable event queue takes its place. Deduplication keys
/// are remembered for the server's lifetime.
/// </summary>
internal sealed class ImmediateAsyncInvocations(FunctionRegistry registry, FunctionMapper mapper, Invoker invoker) : IAsyncInvocations
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _accepted = new(StringComparer.Ordinal);

    public ValueTask<AsyncAccepted> EnqueueAsync(AsyncEvent invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (invocation.Qualifier is not null and not "$LATEST")
        {
            throw LambdaException.NotFound($"Function not found: {mapper.Arn(invocation.FunctionName, invocation.Qualifier)}");
        }

        var function = registry.Get(invocation.FunctionName, mapper.Arn(invocation.FunctionName, invocation.Qualifier));
        var requestId = invocation.RequestId ?? Guid.NewGuid().ToString();
        if (invocation.DeduplicationKey is { } key && !_accepted.TryAdd(key, requestId))
        {
            return ValueTask.FromResult(new AsyncAccepted(_accepted[key], Duplicate: true));
        }

        invoker.Enqueue(function, new InvocationRequest(requestId, invocation.Payload)
        {
            InvokedFunctionArn = mapper.Arn(function.Name, invocation.Qualifier),
        });
        return ValueTask.FromResult(new AsyncAccepted(requestId, Duplicate: false));
    }
}
