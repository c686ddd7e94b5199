namespace Stratus.Execution;

/// <summary>
/// The Runtime API handler of a standby runtime's endpoint, opened (and connected to) before anyone
/// knows which instance the runtime will be: it hands every call to the instance once there is one.
/// A standby runtime asks nothing before it is given its function, so a call before that is refused.
/// </summary>
internal sealed class DeferredRuntimeApiHandler : IRuntimeApiHandler
{
    private volatile IRuntimeApiHandler? _target;

    public void Attach(IRuntimeApiHandler target) => _target = target;

    public Task<DispatchedInvocation?> NextAsync() => _target?.NextAsync() ?? Task.FromResult<DispatchedInvocation?>(null);

    public int Complete(string requestId, byte[] body, string? errorType, bool isError, out Outcome? outcome)
    {
        if (_target is { } target)
        {
            return target.Complete(requestId, body, errorType, isError, out outcome);
        }

        outcome = null;
        return 400;
    }

    public void InitError(byte[] body, string? errorType) => _target?.InitError(body, errorType);

    public Outcome? ResponseTooLarge(string requestId) => _target?.ResponseTooLarge(requestId);
}
