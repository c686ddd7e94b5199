namespace Stratus.Execution;

/// <summary>
/// What the engine counts for one function, over the server's life: starts, throttles, init and
/// queue-wait durations. Kept apart from its pools, so a new revision keeps counting.
/// </summary>
internal sealed class FunctionStats
{
    private long _coldStarts;
    private long _standbyStarts;
    private long _warmStarts;
    private long _throttles;
    private long _preWarms;
    private readonly Summary _init = new();
    private readonly Summary _queueWait = new();

    /// <summary>An invocation began: on a new instance (cold; maybe from a standby runtime) or a warm one.</summary>
    public void Started(bool cold, bool fromStandby, double queueWaitMs)
    {
        Interlocked.Increment(ref cold ? ref _coldStarts : ref _warmStarts);
        if (cold && fromStandby)
        {
            Interlocked.Increment(ref _standbyStarts);
        }

        if (queueWaitMs >= 0)
        {
            _queueWait.Add(queueWaitMs);
        }
    }

    public void Initialized(double initMs) => _init.Add(initMs);

    public void Throttled() => Interlocked.Increment(ref _throttles);

    /// <summary>An instance was started ahead of an invocation its keep-alive policy expects.</summary>
    public void PreWarmed() => Interlocked.Increment(ref _preWarms);

    public FunctionStatsSnapshot Snapshot(string name, (int Starting, int Idle, int Busy) instances, KeepAliveSnapshot keepAlive) => new(
        name,
        Interlocked.Read(ref _coldStarts),
        Interlocked.Read(ref _standbyStarts),
        Interlocked.Read(ref _warmStarts),
        Interlocked.Read(ref _throttles),
        Interlocked.Read(ref _preWarms),
        _init.Snapshot(),
        _queueWait.Snapshot(),
        new InstanceCounts(instances.Starting, instances.Idle, instances.Busy),
        keepAlive);

    /// <summary>Count, mean and maximum of a duration, in milliseconds.</summary>
    private sealed class Summary
    {
        private readonly Lock _lock = new();
        private long _count;
        private double _sum;
        private double _max;

        public void Add(double value)
        {
            lock (_lock)
            {
                _count++;
                _sum += value;
                _max = Math.Max(_max, value);
            }
        }

        public DurationSummary Snapshot()
        {
            lock (_lock)
            {
                return new DurationSummary(_count, _count == 0 ? 0 : Math.Round(_sum / _count, 2), Math.Round(_max, 2));
            }
        }
    }
}

internal sealed record DurationSummary(long Count, double AverageMs, double MaxMs);

internal sealed record InstanceCounts(int Starting, int Idle, int Busy);

internal sealed record FunctionStatsSnapshot(
    string FunctionName,
    long ColdStarts,
    long ColdStartsFromStandby,
    long WarmStarts,
    long Throttles,
    long PreWarms,
    DurationSummary InitDuration,
    DurationSummary QueueWait,
    InstanceCounts Instances,
    KeepAliveSnapshot KeepAlive);

/// <summary>What the engine holds in reserve and runs, over all functions.</summary>
internal sealed record EngineSnapshot(int Instances, int GenericSlots, IReadOnlyDictionary<string, int> StandbyRuntimes);
