namespace Stratus.Execution;

/// <summary>
/// Counts idle times in one-minute bins over <see cref="Range"/>; longer ones are only counted as out
/// of range. Four hours covers the schedules functions commonly run on (every few minutes up to every
/// two hours) with room for jitter; past that, an instance kept or pre-warmed on a guess would cost
/// more memory than the rare cold start it saves, and 240 counters per function stay cheap.
/// </summary>
internal sealed class IdleTimeHistogram
{
    public static readonly TimeSpan BinWidth = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Range = TimeSpan.FromHours(4);

    /// <summary>
    /// Once this many idle times are counted, every count is halved: recent behaviour outweighs old
    /// behaviour, and a function whose schedule changes is relearnt within a few hundred invocations.
    /// </summary>
    public const long Capacity = 2000;

    private readonly long[] _bins = new long[(int)(Range / BinWidth)];
    private long _sumOfSquares;

    /// <summary>Idle times counted, in range or not.</summary>
    public long Count { get; private set; }

    /// <summary>Idle times at least as long as <see cref="Range"/>.</summary>
    public long OutOfRange { get; private set; }

    public long InRange => Count - OutOfRange;

    public int BinCount => _bins.Length;

    /// <summary>Idle times counted in one bin.</summary>
    public long this[int bin] => _bins[bin];

    public void Add(TimeSpan idle)
    {
        var bin = idle < TimeSpan.Zero ? 0 : idle.Ticks / BinWidth.Ticks;
        if (bin >= _bins.Length)
        {
            OutOfRange++;
        }
        else
        {
            _sumOfSquares += (2 * _bins[bin]) + 1;
            _bins[bin]++;
        }

        if (++Count >= Capacity)
        {
            Halve();
        }
    }

    /// <summary>
    /// The bin holding the given fraction (0 to 1) of the in-range idle times, counted from the
    /// shortest; -1 when none is in range.
    /// </summary>
    public int BinAt(double fraction)
    {
        var inRange = InRange;
        if (inRange == 0)
        {
            return -1;
        }

        // The smallest bin whose cumulative count reaches the fraction (at least one sample).
        var wanted = Math.Max(1, (long)Math.Ceiling(fraction * inRange));
        long cumulative = 0;
        for (var bin = 0; bin < _bins.Length; bin++)
        {
            cumulative += _bins[bin];
            if (cumulative >= wanted)
            {
                return bin;
            }
        }

        return _bins.Length - 1;
    }

    /// <summary>
    /// Standard deviation of the bin counts over their mean: high when idle times gather in a few bins
    /// (a pattern worth acting on), near zero when they spread evenly across the range.
    /// </summary>
    public double CoefficientOfVariation()
    {
        var inRange = InRange;
        if (inRange == 0)
        {
            return 0;
        }

        double bins = _bins.Length;
        var mean = inRange / bins;
        var variance = Math.Max(0, (_sumOfSquares / bins) - (mean * mean));
        return Math.Sqrt(variance) / mean;
    }

    private void Halve()
    {
        // Rounding up keeps a rare idle time from being forgotten at the first halving.
        _sumOfSquares = 0;
        long inRange = 0;
        for (var bin = 0; bin < _bins.Length; bin++)
        {
            _bins[bin] = (_bins[bin] + 1) / 2;
            _sumOfSquares += _bins[bin] * _bins[bin];
            inRange += _bins[bin];
        }

        OutOfRange = (OutOfRange + 1) / 2;
        Count = inRange + OutOfRange;
    }
}
