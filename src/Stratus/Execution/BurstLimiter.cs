namespace Stratus.Execution;

/// <summary>
/// How fast one function may add instances: a token bucket holding <c>burst</c> starts that refills
/// at <c>burst</c> per <see cref="Window"/> (Lambda scales each function by 1,000 execution
/// environments every 10 seconds).
/// </summary>
internal sealed class BurstLimiter(int burst, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();

    /// <summary>Takes one start; false when the function has used its burst for now.</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_refilledAt, now) / Window * burst));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens--;
            return true;
        }
    }
}
