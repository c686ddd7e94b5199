namespace Stratus.Observability;

/// <summary>One function's metric labels (<c>account</c>, <c>function</c>), built once.</summary>
internal sealed class FunctionTags
{
    private readonly KeyValuePair<string, object?>[] _tags;
    private long _inFlight;

    public FunctionTags(string account, string function)
    {
        Account = account;
        Function = function;
        _tags = [new("account", account), new("function", function)];
    }

    public string Account { get; }

    public string Function { get; }

    public ReadOnlySpan<KeyValuePair<string, object?>> Tags => _tags;

    /// <summary>Invocations of this function (or of the functions folded into <c>other</c>) running now.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    public void Began() => Interlocked.Increment(ref _inFlight);

    public void Ended() => Interlocked.Decrement(ref _inFlight);

    // The counters of this label value, kept here and read by observable instruments at each scrape:
    // an increment per invocation instead of a lookup of the labels in the SDK's store per counter.
    internal long Invocations;
    internal long Errors;
    internal long Throttles;
    internal long ColdStarts;
    internal long WarmStarts;
    internal long BilledMegabyteMilliseconds;
}
