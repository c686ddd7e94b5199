using System.Collections.Concurrent;

namespace Stratus.Observability;

/// <summary>
/// The label values metrics use for functions, capped: the first <c>limit</c> (account, function)
/// pairs seen keep their own, every later one shares <c>other</c>. Each value is made once and its
/// tag list cached, so recording a measurement allocates nothing.
/// </summary>
internal sealed class FunctionLabels
{
    private readonly ConcurrentDictionary<(string Account, string Function), FunctionTags> _known = new();
    private readonly int _limit;
    private int _count;

    public FunctionLabels(int limit)
    {
        _limit = limit;
    }

    public FunctionTags Other { get; } = new(ObservabilityOptions.OtherFunction, ObservabilityOptions.OtherFunction);

    /// <summary>Every label value handed out so far, <c>other</c> last.</summary>
    public IEnumerable<FunctionTags> All
    {
        get
        {
            foreach (var tags in _known.Values)
            {
                yield return tags;
            }

            yield return Other;
        }
    }

    public FunctionTags For(string account, string function)
    {
        if (_known.TryGetValue((account, function), out var tags))
        {
            return tags;
        }

        // Counted before adding, so concurrent first sightings cannot overshoot the cap.
        if (Interlocked.Increment(ref _count) > _limit)
        {
            Interlocked.Decrement(ref _count);
            return Other;
        }

        var candidate = new FunctionTags(account, function);
        var added = _known.GetOrAdd((account, function), candidate);
        if (!ReferenceEquals(added, candidate))
        {
            // Another thread added the same pair first: its slot is the one counted.
            Interlocked.Decrement(ref _count);
        }

        return added;
    }
}
