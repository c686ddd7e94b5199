namespace Stratus.Execution;

/// <summary>
/// One function's keep-alive, learnt from its idle times in the manner of the hybrid histogram policy
/// of "Serverless in the Wild" (Shahrad et al., USENIX ATC 2020). The pre-warm window is the 5th
/// percentile of the idle times less a 10 % margin: when it is not zero, instances are let go as soon
/// as they are idle, and started again that long after the function became idle, just before the
/// next invocation is expected. The keep-alive window reaches from there to the 99th percentile plus
/// a 10 % margin. Until the histogram describes the function well and its windows pay (see
/// <see cref="Decide"/>), the fixed keep-alive applies, with no pre-warming.
/// </summary>
/// <remarks>
/// An idle time is taken when an invocation arrives. With k invocations in flight, it is how long ago
/// the function last had k + 1 in flight; for k = 0, how long ago its last invocation ended. That is
/// how long the instance this invocation can reuse has been idle, had every instance been kept: the
/// time a keep-alive has to cover. Measured on instances instead, an idle time would be cut short by
/// the keep-alive in force (a reaped instance reports none), and the policy would learn from itself.
/// Counting every level, not only k = 0, lets the windows cover the second, third… instance of a
/// function that runs several at once, whose reuse gaps are longer than the first one's. An arrival
/// at a level never reached before adds nothing: no instance could have been waiting there.
/// </remarks>
internal sealed class KeepAlivePolicy
{
    public const double HeadFraction = 0.05;
    public const double TailFraction = 0.99;
    public const double Margin = 0.10;

    /// <summary>Fewer idle times than this say too little about the tail.</summary>
    public const int MinimumIdleTimes = 10;

    /// <summary>Above this share of idle times past the range, the histogram misses too much of the function.</summary>
    public const double MaximumOutOfRangeShare = 0.10;

    /// <summary>Below this coefficient of variation of the bin counts, idle times show no pattern to act on.</summary>
    public const double MinimumVariation = 2;

    public const string FixedChosen = "the fixed keep-alive policy is chosen";
    public const string TooFewIdleTimes = "too few idle times observed yet";
    public const string TooManyOutOfRange = "too many idle times longer than the histogram's range";
    public const string SpreadOut = "idle times spread too evenly to predict";
    public const string DoesNotPay = "the histogram's windows would cost more than the fixed keep-alive";

    private const long Never = long.MinValue;

    private readonly Lock _lock = new();
    private readonly TimeSpan _fixed;
    private readonly bool _adaptive;
    private readonly TimeProvider _time;
    private readonly IdleTimeHistogram _histogram = new();

    // When each level of concurrency last emptied (index k: when the count in flight fell to k).
    private readonly List<long> _emptiedAt = [];
    private int _inFlight;
    private int _peak;
    private int _lastPeak;
    private long _idlePeriods;
    private long _preWarmedPeriod = -1;
    private KeepAliveWindows? _windows;

    public KeepAlivePolicy(TimeSpan fixedKeepAlive, bool adaptive, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _fixed = fixedKeepAlive;
        _adaptive = adaptive;
        _time = time;
    }

    /// <summary>An invocation of the function arrived.</summary>
    public void Arrived()
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_inFlight < _emptiedAt.Count && _emptiedAt[_inFlight] != Never)
            {
                _histogram.Add(_time.GetElapsedTime(_emptiedAt[_inFlight], now));
                _windows = null;
            }

            _inFlight++;
            _peak = Math.Max(_peak, _inFlight);
        }
    }

    /// <summary>An invocation of the function finished (whatever its outcome).</summary>
    public void Finished()
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            while (_emptiedAt.Count <= _inFlight)
            {
                _emptiedAt.Add(Never);
            }

            _emptiedAt[_inFlight] = now;
            if (_inFlight == 0)
            {
                _idlePeriods++;
                _lastPeak = _peak;
                _peak = 0;
            }
        }
    }

    /// <summary>The windows in force, recomputed after new idle times only when asked for (by the reaper, not per invocation).</summary>
    public KeepAliveWindows Windows
    {
        get
        {
            lock (_lock)
            {
                return _windows ??= Decide();
            }
        }
    }

    /// <summary>
    /// How many instances to pre-warm now: as many as the function last ran at once, once per idle
    /// period, when it has been idle for its pre-warm window and not yet for so long that they would
    /// be past their keep-alive already; otherwise 0.
    /// </summary>
    public int TakePreWarm()
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            var windows = _windows ??= Decide();
            if (!windows.PreWarms || _inFlight > 0 || _emptiedAt.Count == 0 || _preWarmedPeriod == _idlePeriods)
            {
                return 0;
            }

            var idle = _time.GetElapsedTime(_emptiedAt[0], now);
            if (idle < windows.PreWarm || idle >= windows.PreWarm + windows.KeepAlive)
            {
                return 0;
            }

            _preWarmedPeriod = _idlePeriods;
            return _lastPeak;
        }
    }

    public KeepAliveSnapshot Snapshot()
    {
        lock (_lock)
        {
            var windows = _windows ??= Decide();
            return new KeepAliveSnapshot(
                windows.Fallback is null ? "histogram" : "fixed",
                windows.Fallback,
                Math.Round(windows.PreWarm.TotalSeconds, 1),
                Math.Round(windows.KeepAlive.TotalSeconds, 1),
                _histogram.Count,
                _histogram.OutOfRange);
        }
    }

    /// <summary>
    /// The histogram's windows, or the fixed keep-alive when the histogram is not representative (too
    /// few idle times, too many beyond its range, or bin counts so even that no window would catch
    /// most arrivals without holding memory most of the time), or when its windows would not pay.
    /// </summary>
    private KeepAliveWindows Decide()
    {
        if (!_adaptive)
        {
            return new(TimeSpan.Zero, _fixed, FixedChosen);
        }

        if (_histogram.Count < MinimumIdleTimes)
        {
            return new(TimeSpan.Zero, _fixed, TooFewIdleTimes);
        }

        if (_histogram.OutOfRange > _histogram.Count * MaximumOutOfRangeShare)
        {
            return new(TimeSpan.Zero, _fixed, TooManyOutOfRange);
        }

        if (_histogram.CoefficientOfVariation() < MinimumVariation)
        {
            return new(TimeSpan.Zero, _fixed, SpreadOut);
        }

        // The head bin's lower edge and the tail bin's upper edge: the whole of both bins is covered.
        var head = IdleTimeHistogram.BinWidth * _histogram.BinAt(HeadFraction);
        var tail = IdleTimeHistogram.BinWidth * (_histogram.BinAt(TailFraction) + 1);
        var preWarm = head * (1 - Margin);
        var keepAlive = (tail * (1 + Margin)) - preWarm;
        return CostOnHistory(preWarm, keepAlive) <= CostOnHistory(TimeSpan.Zero, _fixed)
            ? new(preWarm, keepAlive, null)
            : new(TimeSpan.Zero, _fixed, DoesNotPay);
    }

    /// <summary>
    /// What the windows would have cost over the idle times recorded, in minutes of idle instance: the
    /// time an instance would have waited for each arrival, plus, for each arrival it would have
    /// missed, a cold start priced at the fixed keep-alive (keeping an instance that long for a
    /// possible warm start is the price the operator chose). Percentiles alone ignore the price: for
    /// idle times without a pattern (Poisson arrivals, bursts at random), a 99th percentile can keep
    /// instances for hours to save a few cold starts. Each idle time is taken at the middle of its bin.
    /// </summary>
    private double CostOnHistory(TimeSpan preWarmWindow, TimeSpan keepAliveWindow)
    {
        var coldStart = _fixed.TotalMinutes;
        var preWarm = preWarmWindow.TotalMinutes;
        var keepAlive = keepAliveWindow.TotalMinutes;
        var binMinutes = IdleTimeHistogram.BinWidth.TotalMinutes;
        double cost = 0;
        for (var bin = 0; bin < _histogram.BinCount; bin++)
        {
            var idle = (bin + 0.5) * binMinutes;
            var each = idle < preWarm ? coldStart
                : idle - preWarm < keepAlive ? idle - preWarm
                : keepAlive + coldStart;
            cost += _histogram[bin] * each;
        }

        return cost + (_histogram.OutOfRange * (keepAlive + coldStart));
    }
}
