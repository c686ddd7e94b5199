using Stratus.Api;
using Stratus.Functions;
using Stratus.Storage;

namespace Stratus.Invocation;

/// <summary>
/// Accepts asynchronous invocations into the durable event queue: the returned task completes once the
/// event is committed, and the dispatcher is woken to run it.
/// </summary>
internal sealed class DurableAsyncInvocations : IAsyncInvocations
{
    private readonly FunctionRegistry _registry;
    private readonly FunctionMapper _mapper;
    private readonly IAsyncEventStore _store;
    private readonly AsyncSignal _signal;
    private readonly TimeProvider _time;

    public DurableAsyncInvocations(FunctionRegistry registry, FunctionMapper mapper, IAsyncEventStore store, AsyncSignal signal, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        _registry = registry;
        _mapper = mapper;
        _store = store;
        _signal = signal;
        _time = time;
    }

    public async ValueTask<AsyncAccepted> EnqueueAsync(AsyncEvent invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        // The version an alias runs is chosen when the event runs, as on Lambda; here it must exist.
        if (!_registry.HasQualifier(invocation.FunctionName, invocation.Qualifier))
        {
            throw LambdaException.NotFound($"Function not found: {_mapper.Arn(invocation.FunctionName, invocation.Qualifier)}");
        }

        if (invocation.Payload.Length > FunctionLimits.MaxAsyncPayloadBytes)
        {
            throw Api.RequestReader.TooLarge(FunctionLimits.MaxAsyncPayloadBytes, Api.RequestReader.ForInvoke);
        }

        var function = _registry.Get(invocation.FunctionName, _mapper.Arn(invocation.FunctionName, invocation.Qualifier));
        var queued = new QueuedEvent(
            invocation.RequestId ?? RequestIds.New(),
            function.Name,
            invocation.Qualifier,
            invocation.Payload,
            invocation.Source,
            invocation.DeduplicationKey,
            _time.GetUtcNow());
        var accepted = await _store.EnqueueAsync(queued, cancellationToken);
        if (!accepted.Duplicate)
        {
            _signal.Set();
        }

        return accepted;
    }
}
