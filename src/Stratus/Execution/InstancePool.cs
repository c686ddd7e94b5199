using Microsoft.Extensions.Logging;
using Stratus.Api;
using Stratus.Functions;

namespace Stratus.Execution;

/// <summary>
/// The instances of one function revision. An invocation takes the warmest idle instance; when none
/// is idle it waits, and a new instance is started when that is expected to be quicker than waiting
/// for a busy one (or when nothing is known yet), within the engine's concurrency limit.
/// </summary>
internal sealed partial class InstancePool
{
    private const double Smoothing = 0.2;

    private readonly Lock _lock = new();
    private readonly ExecutionEngine _engine;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Instance> _idle = [];
    private readonly LinkedList<InvocationRequest> _waiters = new();
    private readonly HashSet<Instance> _all = [];

    // Started ahead of an expected invocation and not used yet: kept for the keep-alive window.
    private readonly HashSet<Instance> _ahead = [];

    // Stopping because the cores were spent (they still count in _all until their process is gone).
    private readonly HashSet<Instance> _trimmed = [];
    private int _starting;
    private const int DurationWindow = 256;
    private double _durationMs = -1;
    private double _windowMin = double.MaxValue;
    private double _previousWindowMin = double.MaxValue;
    private int _windowCount;
    private double _coldStartMs = -1;

    // CPU time the instances used, against the time they were busy with invocations (decayed).
    private const double CpuBoundShare = 0.05;
    private const double CpuWindowMicros = 2_000_000;
    private const double CpuMinimumMicros = 50_000;
    private double _cpuMicros;
    private double _busyMicros;
    private ITimer? _recheck;
    private bool _retired;

    public InstancePool(ExecutionEngine engine, FunctionDefinition function, string functionArn, TimeProvider time, ILogger logger)
    {
        _engine = engine;
        Function = function;
        FunctionArn = functionArn;
        _time = time;
        _logger = logger;
    }

    public FunctionDefinition Function { get; }

    public string FunctionArn { get; }

    public TimeSpan InitTimeout => _engine.Options.InitTimeout;

    /// <summary>Where instances keep their output files while they run.</summary>
    public string RunDirectory => _engine.RunDirectory;

    public int InstanceCount
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    public Instance[] Instances()
    {
        lock (_lock)
        {
            return [.. _all];
        }
    }

    public Task<InvocationResult> InvokeAsync(InvocationRequest invocation)
    {
        Instance? instance = null;
        var start = false;
        bool reroute;
        lock (_lock)
        {
            // A retired pool hands the invocation to the function's current revision, outside this lock.
            reroute = _retired;
            if (!reroute && _idle.Count > 0)
            {
                instance = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
                _ahead.Remove(instance);
            }
            else if (!reroute)
            {
                invocation.EnqueuedAt = _time.GetTimestamp();
                _waiters.AddLast(invocation);
                start = DecideStartLocked();
                if (!start)
                {
                    ArmRecheckLocked();
                }
            }
        }

        if (instance is not null)
        {
            instance.Assign(invocation);
        }
        else if (start)
        {
            _ = StartInstanceAsync();
        }
        else if (reroute)
        {
            return _engine.RouteAsync(Function, invocation);
        }

        return invocation.Result;
    }

    /// <summary>Called by an instance on its first <c>invocation/next</c>.</summary>
    public void OnReady(Instance instance, double initDurationMs)
    {
        bool readyAhead;
        lock (_lock)
        {
            _starting--;
            _coldStartMs = _coldStartMs < 0 ? initDurationMs : (_coldStartMs * (1 - Smoothing)) + (initDurationMs * Smoothing);
            Stats.Initialized(initDurationMs);

            // Pre-warmed before anyone asked, its first invocation is no cold start (as with provisioned
            // concurrency); an invocation already waiting for it did wait for its init, a cold start.
            readyAhead = _ahead.Contains(instance) && _waiters.Count == 0;
            if (readyAhead)
            {
                instance.Provisioned = true;
            }
            else
            {
                _ahead.Remove(instance);
            }
        }

        Release(instance, -1);
        if (readyAhead)
        {
            _engine.OnPreWarmed(Function.Name);
        }
    }

    /// <summary>The instance finished an invocation (or became ready) and can take the next one.</summary>
    /// <param name="durationMs">How long the invocation ran; negative for none, or one that says little (a first invocation).</param>
    /// <param name="cpuMicros">CPU time the instance used since it last told (0 when not measured).</param>
    public void Release(Instance instance, double durationMs, long cpuMicros = 0)
    {
        InvocationRequest? next = null;
        var retire = false;
        lock (_lock)
        {
            if (durationMs >= 0)
            {
                RecordDurationLocked(durationMs);
                RecordCpuLocked(durationMs, cpuMicros);
            }

            if (_retired)
            {
                retire = true;
            }
            else if (_all.Count - _trimmed.Count > Math.Max(Environment.ProcessorCount, Minimum) && !instance.Provisioned && CoresSpentLocked())
            {
                // More instances than cores, all busy with this CPU-bound function (started before its
                // invocations were measured): this one stops, and its next invocation waits for another.
                _trimmed.Add(instance);
                retire = true;
            }
            else if (_waiters.First is { } first)
            {
                next = first.Value;
                _waiters.RemoveFirst();
                _ahead.Remove(instance);
            }
            else
            {
                instance.IdleSince = _time.GetTimestamp();
                _idle.Add(instance);
            }
        }

        if (retire)
        {
            _ = instance.DisposeAsync().AsTask();
        }
        else if (next is not null)
        {
            instance.Assign(next);
        }
    }

    /// <summary>Places an invocation whose instance died before running it.</summary>
    public void Requeue(InvocationRequest invocation)
    {
        bool start;
        lock (_lock)
        {
            _waiters.AddFirst(invocation);
            start = !_retired && DecideStartLocked();
        }

        if (start)
        {
            _ = StartInstanceAsync();
        }
        else
        {
            Retry();
        }
    }

    public void OnDead(Instance instance, bool wasReady, (ReadOnlyMemory<byte> Body, string? Type)? initError, string log, string reason, double livedMs)
    {
        InvocationRequest? failed = null;
        var start = false;
        lock (_lock)
        {
            if (!_all.Remove(instance))
            {
                return;
            }

            _trimmed.Remove(instance);

            _engine.ReleaseMemory(Function.MemorySize);

            _idle.Remove(instance);
            _ahead.Remove(instance);
            if (!wasReady)
            {
                _starting--;
                // The invocation that waited for this cold start gets its failure, as on Lambda.
                if (_waiters.First is { } first)
                {
                    failed = first.Value;
                    _waiters.RemoveFirst();
                }
            }

            if (!_retired && _waiters.Count > _starting)
            {
                start = DecideStartLocked();
            }
        }

        if (failed is not null)
        {
            var payload = initError?.Body ?? InvocationResult.ErrorPayload("Runtime.ExitError", $"RequestId: {failed.RequestId} Error: Runtime exited with error: {reason}");
            var text = log + string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"INIT_REPORT Init Duration: {livedMs:0.00} ms\tPhase: init\tStatus: error\tError Type: {initError?.Type ?? "Runtime.ExitError"}\n");
            failed.TryComplete(new InvocationResult(payload, "Unhandled", text));
        }

        if (start)
        {
            _ = StartInstanceAsync();
        }
    }

    /// <summary>Stops taking work: idle instances stop now, busy ones after their invocation.</summary>
    public void Retire()
    {
        List<Instance> idle;
        List<InvocationRequest> waiters;
        lock (_lock)
        {
            _retired = true;
            idle = [.. _idle];
            _idle.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
            _recheck?.Dispose();
        }

        foreach (var instance in idle)
        {
            _ = instance.DisposeAsync().AsTask();
        }

        foreach (var waiter in waiters)
        {
            _ = _engine.RouteAsync(Function, waiter);
        }
    }

    /// <summary>Stops every instance, busy or not (server shutdown).</summary>
    public async Task StopAsync()
    {
        List<Instance> all;
        List<InvocationRequest> waiters;
        lock (_lock)
        {
            _retired = true;
            all = [.. _all];
            waiters = [.. _waiters];
            _waiters.Clear();
            _recheck?.Dispose();
        }

        foreach (var waiter in waiters)
        {
            waiter.TryComplete(InvocationResult.Failure(waiter.RequestId, "ServiceException", "The server is shutting down"));
        }

        await Task.WhenAll(all.Select(instance => instance.DisposeAsync().AsTask()));
    }

    /// <summary>Provisioned concurrency: instances kept initialised whatever the keep-alive.</summary>
    public int Minimum => _retired ? 0 : _engine.ProvisionedForPool(Function.PoolKey);

    private int _pendingProvisioned;

    /// <summary>Instances that have finished init (idle or busy).</summary>
    public int ReadyCount
    {
        get
        {
            lock (_lock)
            {
                return _all.Count - _starting;
            }
        }
    }

    /// <summary>Starts instances until there are as many as the provisioned concurrency.</summary>
    public void EnsureMinimum()
    {
        int missing;
        lock (_lock)
        {
            missing = Math.Max(0, Minimum - _all.Count - _pendingProvisioned);
            _pendingProvisioned += missing;
            _starting += missing;
        }

        for (var i = 0; i < missing; i++)
        {
            _ = StartInstanceAsync(provisioned: true);
        }
    }

    /// <summary>Instances starting, idle and busy.</summary>
    public (int Starting, int Idle, int Busy) InstancesByState()
    {
        lock (_lock)
        {
            return (_starting, _idle.Count, _all.Count - _idle.Count - _starting);
        }
    }

    public FunctionStats Stats => _engine.StatsOf(Function.Name);

    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>When the least recently used idle instance became idle; null when none is idle.</summary>
    public long? OldestIdleSince()
    {
        lock (_lock)
        {
            // Provisioned instances are not evicted.
            return _idle.Count == 0 || _all.Count <= Minimum ? null : _idle.Min(i => i.IdleSince);
        }
    }

    /// <summary>Stops the least recently used idle instance to make room for another; false when none is idle.</summary>
    public bool EvictOldestIdle()
    {
        Instance victim;
        lock (_lock)
        {
            if (_idle.Count == 0 || _all.Count <= Minimum)
            {
                return false;
            }

            victim = _idle.MinBy(i => i.IdleSince)!;
            _idle.Remove(victim);
        }

        // Gives its memory back before returning (OnDead runs before the first await).
        _ = victim.DisposeAsync().AsTask();
        return true;
    }

    /// <summary>
    /// No room for another instance on this node. Waiters stay queued for the instances this function
    /// has; with none, they are refused as throttled, so the AWS clients retry.
    /// </summary>
    private void NoCapacity()
    {
        List<InvocationRequest>? refused = null;
        lock (_lock)
        {
            _starting--;
            if (_all.Count == 0 && _starting == 0)
            {
                refused = [.. _waiters];
                _waiters.Clear();
            }
        }

        foreach (var invocation in refused ?? [])
        {
            invocation.TryFail(Api.LambdaException.Throttled(
                ConcurrencyLimits.AccountReason,
                $"Rate Exceeded. No memory left on this node for another {Function.MemorySize} MB instance (budget {_engine.MemoryBudgetMb} MB)."));
        }
    }

    /// <summary>Stops instances idle for longer than the function's keep-alive windows allow.</summary>
    public void Reap(KeepAliveWindows windows)
    {
        List<Instance>? expired = null;
        lock (_lock)
        {
            for (var i = 0; i < _idle.Count; i++)
            {
                if (_time.GetElapsedTime(_idle[i].IdleSince) >= windows.IdleLimit(_ahead.Contains(_idle[i])))
                {
                    (expired ??= []).Add(_idle[i]);
                }
            }

            // Provisioned concurrency keeps its instances: only those above it expire, oldest first.
            if (expired is not null)
            {
                expired = [.. expired.OrderBy(i => i.IdleSince).Take(Math.Max(0, _all.Count - Minimum))];
                _idle.RemoveAll(expired.Contains);
                _ahead.ExceptWith(expired);
            }
        }

        foreach (var instance in expired ?? [])
        {
            _ = instance.DisposeAsync().AsTask();
        }
    }

    /// <summary>
    /// Starts instances ahead of the invocation the function's policy expects next, when it says so and
    /// this pool has none (instances kept, busy or provisioned serve it already). Within the memory
    /// there is: a guess is not worth stopping another function's idle instance.
    /// </summary>
    public void PreWarm(KeepAlivePolicy keepAlive)
    {
        int count;
        lock (_lock)
        {
            if (_retired || _all.Count > 0 || _starting > 0 || _waiters.Count > 0)
            {
                return;
            }

            // As many as the function last ran at once, within its scaling rate like any other start.
            var wanted = keepAlive.TakePreWarm();
            var burst = _engine.BurstOf(Function.Name);
            count = 0;
            while (count < wanted && burst.TryTake())
            {
                count++;
            }

            _starting += count;
        }

        if (count > 0)
        {
            Log.PreWarming(_logger, count, Function.Name);
        }

        for (var i = 0; i < count; i++)
        {
            _ = StartInstanceAsync(ahead: true);
        }
    }

    /// <summary>No memory free for a pre-warm; an invocation that came meanwhile gets an instance the usual way.</summary>
    private void NoRoomToPreWarm()
    {
        bool start;
        lock (_lock)
        {
            _starting--;
            start = !_retired && _waiters.Count > _starting && DecideStartLocked();
        }

        Log.NoRoomToPreWarm(_logger, Function.Name);
        if (start)
        {
            _ = StartInstanceAsync();
        }
    }

    private bool DecideStartLocked()
    {
        var total = _all.Count;
        bool wanted;
        if (total == 0)
        {
            wanted = true;
        }
        else if (_waiters.Count <= _starting || _starting >= Environment.ProcessorCount)
        {
            // Every waiter already has a cold start coming, or as many are starting as the cores can take:
            // starting more at once only makes each one slower.
            wanted = false;
        }
        else if (total < Environment.ProcessorCount)
        {
            // Up to one instance per core is always worth having once requests queue.
            wanted = true;
        }
        else if (CoresSpentLocked())
        {
            // Every core is busy, and this function's invocations spend their time on a core: another
            // instance would share the same cores and add a process to switch to (two instances of a
            // small node function served 4-10 % more than three or four on two cores). Invocations
            // wait for the instances there are; one that waits does not spend a core.
            wanted = false;
        }
        else if (_durationMs < 0 || _coldStartMs < 0)
        {
            // Nothing measured yet: wait; Retry starts one if the wait grows longer than a cold start.
            wanted = false;
        }
        else
        {
            wanted = ExpectedWaitMsLocked() > _coldStartMs;
        }

        // Within the function's burst rate only; Retry tries again while invocations wait.
        if (wanted && !_engine.BurstOf(Function.Name).TryTake())
        {
            wanted = false;
        }

        if (wanted)
        {
            _starting++;
        }

        return wanted;
    }

    private void ArmRecheckLocked()
    {
        if (_recheck is not null)
        {
            return;
        }

        var delay = TimeSpan.FromMilliseconds(Math.Clamp(ColdStartEstimateMs - OldestWaitMsLocked(), 1, 1000));
        _recheck = _time.CreateTimer(_ => Retry(), null, delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Keeps a recent minimum of invocation durations: under CPU contention averages grow with every
    /// instance added, which would call for yet more instances; the minimum stays near the real work.
    /// Two windows of <see cref="DurationWindow"/> completions each, so old values age out.
    /// </summary>
    private void RecordDurationLocked(double durationMs)
    {
        _windowMin = Math.Min(_windowMin, durationMs);
        if (++_windowCount >= DurationWindow)
        {
            _previousWindowMin = _windowMin;
            _windowMin = double.MaxValue;
            _windowCount = 0;
        }

        _durationMs = Math.Min(_windowMin, _previousWindowMin);
    }

    /// <summary>
    /// Adds an invocation's CPU time and duration to the function's measure of how CPU-bound it is.
    /// Instances report CPU time in lumps (at most every 20 ms each), so the measure sums both over
    /// about the last two seconds of busy time rather than per invocation.
    /// </summary>
    private void RecordCpuLocked(double durationMs, long cpuMicros)
    {
        _busyMicros += durationMs * 1000;
        _cpuMicros += cpuMicros;
        if (_busyMicros > CpuWindowMicros)
        {
            _busyMicros /= 2;
            _cpuMicros /= 2;
        }
    }

    /// <summary>The function's invocations use the CPU for a real part of their time, and every core of the machine is busy.</summary>
    private bool CoresSpentLocked() =>
        _busyMicros >= CpuMinimumMicros && _cpuMicros >= CpuBoundShare * _busyMicros && _engine.Cpu.Saturated;

    /// <summary>How long the queue would take to drain on the instances now busy.</summary>
    private double ExpectedWaitMsLocked()
    {
        var busy = Math.Max(1, _all.Count - _starting - _idle.Count);
        return _durationMs * (_waiters.Count - _starting) / busy;
    }

    private double ColdStartEstimateMs => _coldStartMs < 0 ? 50 : _coldStartMs;

    private double OldestWaitMsLocked() =>
        _waiters.First is { } first ? _time.GetElapsedTime(first.Value.EnqueuedAt).TotalMilliseconds : 0;

    /// <summary>
    /// Re-checked while invocations wait: once the oldest has waited as long as a cold start takes,
    /// a new instance would have served it sooner, so one is started.
    /// </summary>
    private void Retry()
    {
        bool start;
        lock (_lock)
        {
            _recheck?.Dispose();
            _recheck = null;
            if (_retired || _waiters.Count == 0)
            {
                return;
            }

            // A long wait alone can be a pause (GC, a noisy neighbour); once durations are known the
            // queue must also be expected to take longer than a cold start.
            start = _waiters.Count > _starting && _starting < Environment.ProcessorCount
                && OldestWaitMsLocked() >= ColdStartEstimateMs
                && !(_all.Count >= Environment.ProcessorCount && CoresSpentLocked())
                && (_durationMs < 0 || ExpectedWaitMsLocked() > ColdStartEstimateMs)
                && _engine.BurstOf(Function.Name).TryTake();
            if (start)
            {
                _starting++;
                // One more instance per cold-start period at most: each start changes the wait it was based on.
                _recheck = _time.CreateTimer(_ => Retry(), null, TimeSpan.FromMilliseconds(Math.Clamp(ColdStartEstimateMs, 5, 1000)), Timeout.InfiniteTimeSpan);
            }
            else if (_waiters.Count > _starting)
            {
                ArmRecheckLocked();
            }
        }

        if (start)
        {
            _ = StartInstanceAsync();
        }
    }

    private async Task StartInstanceAsync(bool provisioned = false, bool ahead = false)
    {
        if (!_engine.TryReserveMemory(Function.MemorySize, evictIdle: !ahead))
        {
            if (ahead)
            {
                NoRoomToPreWarm();
                return;
            }

            if (provisioned)
            {
                lock (_lock)
                {
                    _pendingProvisioned--;
                }
            }

            NoCapacity();
            return;
        }

        var instance = _engine.CreateInstance(this);
        instance.Provisioned = provisioned;
        lock (_lock)
        {
            _all.Add(instance);
            if (provisioned)
            {
                _pendingProvisioned--;
            }

            if (ahead)
            {
                _ahead.Add(instance);
                Stats.PreWarmed();
            }
        }

        try
        {
            await _engine.StartInstanceAsync(instance, Function);
        }
        catch (Exception ex)
        {
            Log.StartFailed(_logger, Function.Name, ex);
            await instance.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Error, "Could not start an instance of {Function}")]
        public static partial void StartFailed(ILogger logger, string function, Exception exception);

        [LoggerMessage(11, LogLevel.Debug, "Pre-warming {Count} instance(s) of {Function}: its idle times say the next invocation is near")]
        public static partial void PreWarming(ILogger logger, int count, string function);

        [LoggerMessage(12, LogLevel.Debug, "No memory free to pre-warm an instance of {Function}; no idle instance is stopped for a pre-warm")]
        public static partial void NoRoomToPreWarm(ILogger logger, string function);
    }
}
