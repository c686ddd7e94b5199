using Stratus.Runtime;

namespace Handlers;

/// <summary>An instance handler: made once per instance, so its state lives across warm invocations.</summary>
public sealed class Counter
{
    private readonly string _madeAt = Guid.NewGuid().ToString("N");
    private int _count;

    public object Next(ILambdaContext context) => new { count = ++_count, instance = _madeAt };
}
