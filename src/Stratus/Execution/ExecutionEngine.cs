using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Functions;
using Stratus.Hosting;

namespace Stratus.Execution;

/// <summary>
/// Owns every instance on this node: one pool per function revision, the node-wide concurrency
/// budget, keep-alive reclamation, and a clean stop that leaves no process behind.
/// </summary>
public sealed partial class ExecutionEngine : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, InstancePool> _pools = new(StringComparer.Ordinal);
    private readonly FunctionRegistry _registry;
    private readonly RuntimeLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ITimer _reaper;
    private volatile bool _stopping;
    private readonly SlotPool _slots;

    internal ExecutionEngine(
        IOptions<StratusOptions> options,
        FunctionRegistry registry,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        Sandbox.Cgroups cgroups,
        Sandbox.Isolation isolation,
        ConcurrencyLimits concurrency,
        IReadOnlyDictionary<string, int> provisioned)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        foreach (var (name, count) in provisioned)
        {
            _provisioned[name] = count;
        }

        Options = options.Value;
        Concurrency = concurrency;
        var machine = MachineMemoryMb();
        MemoryBudgetMb = Options.MemoryBudgetMb ?? (machine > 0 ? machine * 8 / 10 : long.MaxValue);
        _registry = registry;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ExecutionEngine>();
        _launcher = new RuntimeLauncher(Options);
        Cgroups = cgroups;
        Isolation = isolation;
        Cpu = new CpuSaturation(time);
        Placement = Options.CpuPlacement ? CpuPlacement.ForThisProcess() : null;
        if (Placement is not null)
        {
            Log.Placement(_logger, string.Join(',', Placement.Cpus));
        }

        // Output files of instances from a previous run (killed server) are of no use now. Isolated
        // instances keep theirs in the isolation's run directory, made fresh at start-up.
        var instances = Path.Combine(Options.DataDirectory, "instances");
        if (Directory.Exists(instances))
        {
            Directory.Delete(instances, recursive: true);
        }

        if (isolation.Enabled)
        {
            RunDirectory = isolation.SocketDirectory;
            Sandbox.Isolation.ProtectDataDirectory(Options.DataDirectory);
            Log.Isolated(_logger);
            if (!isolation.NetworkNamespaces)
            {
                Log.NotEnforced(_logger, "running functions without network: network namespaces cannot be created here");
            }
        }
        else
        {
            RunDirectory = instances;
            Directory.CreateDirectory(RunDirectory);
            Log.NotEnforced(_logger, "isolation: " + isolation.Problem);
        }

        _slots = new SlotPool(cgroups, isolation, _launcher, RunDirectory, Environment.ProcessorCount, Options.StandbyRuntimes, loggerFactory.CreateLogger<SlotPool>());
        foreach (var controller in Enum.GetValues<Sandbox.Controller>())
        {
            Log.Enforcement(_logger, controller.ToString().ToLowerInvariant(), cgroups.Describe(controller));
        }

        Log.MemoryBudget(_logger, MemoryBudgetMb);
        foreach (var problem in cgroups.Problems)
        {
            Log.NotEnforced(_logger, problem);
        }

        _registry.Changed += OnFunctionChanged;
        _registry.VersionDeleted += OnVersionDeleted;
        _registry.AliasChanged += EnsureProvisioned;
        foreach (var configuration in _provisioned.Keys)
        {
            if (TargetOf(configuration) is { } function)
            {
                PoolFor(function).EnsureMinimum();
            }
        }

        var period = TimeSpan.FromMilliseconds(Math.Clamp(Options.KeepAlive.TotalMilliseconds / 4, 10, 1000));
        _reaper = time.CreateTimer(_ => Reap(), null, period, period);
    }

    internal StratusOptions Options { get; }

    internal string RunDirectory { get; }

    internal Sandbox.Cgroups Cgroups { get; }

    internal Sandbox.Isolation Isolation { get; }

    /// <summary>Where instances run; null when the kernel chooses (turned off, or one CPU).</summary>
    internal CpuPlacement? Placement { get; }

    internal ConcurrencyLimits Concurrency { get; }

    private readonly ConcurrentDictionary<string, FunctionStats> _stats = new(StringComparer.Ordinal);

    internal FunctionStats StatsOf(string function) => _stats.GetOrAdd(function, static _ => new FunctionStats());

    private readonly ConcurrentDictionary<string, BurstLimiter> _bursts = new(StringComparer.Ordinal);

    // Provisioned concurrency by configuration: a function's registry name (the native per-function
    // setting, on $LATEST) or name:qualifier (Lambda's, on a version or an alias). An alias's
    // configuration follows the alias: its instances are those of the version it names now.
    private readonly ConcurrentDictionary<string, int> _provisioned = new(StringComparer.Ordinal);

    internal int ProvisionedFor(string configuration) => _provisioned.GetValueOrDefault(configuration);

    /// <summary>The instances a pool keeps initialised: the provisioned concurrency of every configuration that lands on it.</summary>
    internal int ProvisionedForPool(string poolKey)
    {
        if (_provisioned.IsEmpty)
        {
            return 0;
        }

        var total = 0;
        foreach (var (configuration, count) in _provisioned)
        {
            if (TargetOf(configuration) is { } target && target.PoolKey == poolKey)
            {
                total += count;
            }
        }

        return total;
    }

    /// <summary>The definition a provisioned concurrency configuration keeps instances of, if it still exists.</summary>
    internal FunctionDefinition? TargetOf(string configuration)
    {
        var (name, qualifier) = FunctionRegistry.SplitQualifiedKey(configuration);
        return _registry.TryResolve(name, qualifier, route: false, out var target) ? target : null;
    }

    /// <summary>
    /// Sets the provisioned concurrency of a configuration (0 removes it), starts or lets go of instances
    /// to match, and waits (at most <paramref name="wait"/>) until that many are initialised; returns how many are.
    /// </summary>
    internal async Task<int> ProvisionAsync(string configuration, int count, TimeSpan wait)
    {
        var before = TargetOf(configuration);
        if (count == 0)
        {
            _provisioned.TryRemove(configuration, out _);
            return 0;
        }

        _provisioned[configuration] = count;
        if (before is null)
        {
            return 0;
        }

        var pool = PoolFor(before);
        pool.EnsureMinimum();
        var deadline = _time.GetTimestamp();
        while (pool.ReadyCount < count && _time.GetElapsedTime(deadline) < wait)
        {
            await Task.Delay(10);
        }

        return Math.Min(count, pool.ReadyCount);
    }

    /// <summary>The provisioned concurrency configurations of a function: its own (native) and those of its versions and aliases.</summary>
    internal IReadOnlyList<(string Configuration, string? Qualifier, int Count)> ProvisionedConfigurations(string name) =>
        [.. _provisioned
            .Select(pair => (Configuration: pair.Key, Split: FunctionRegistry.SplitQualifiedKey(pair.Key), Count: pair.Value))
            .Where(c => c.Split.Name == name)
            .Select(c => (c.Configuration, c.Split.Qualifier, c.Count))
            .OrderBy(c => c.Configuration, StringComparer.Ordinal)];

    /// <summary>Instances of a configuration's provisioned concurrency that are initialised now.</summary>
    internal int ProvisionedReady(string configuration) =>
        TargetOf(configuration) is { } target && _pools.TryGetValue(target.PoolKey, out var pool) ? Math.Min(ProvisionedFor(configuration), pool.ReadyCount) : 0;

    /// <summary>Keeps the instances of every provisioned configuration of <paramref name="name"/> where they now belong (after a change of revision or alias).</summary>
    private void EnsureProvisioned(string name)
    {
        foreach (var configuration in _provisioned.Keys)
        {
            if (FunctionRegistry.SplitQualifiedKey(configuration).Name != name)
            {
                continue;
            }

            if (TargetOf(configuration) is { } target)
            {
                PoolFor(target).EnsureMinimum();
            }
            else
            {
                _provisioned.TryRemove(configuration, out _);
            }
        }
    }

    /// <summary>Whether the machine's cores are all busy (pools start no instance beyond the core count for CPU-bound work then).</summary>
    internal CpuSaturation Cpu { get; set; }

    internal BurstLimiter BurstOf(string function) => _bursts.GetOrAdd(function, _ => new BurstLimiter(Options.BurstInstances, _time));

    /// <summary>What the engine holds in reserve and runs, over all functions.</summary>
    internal EngineSnapshot EngineSnapshot()
    {
        var (generic, standby) = _slots.Ready();
        return new EngineSnapshot(_pools.Values.Sum(pool => pool.InstanceCount), generic, standby);
    }

    private readonly ConcurrentDictionary<string, KeepAlivePolicy> _keepAlive = new(StringComparer.Ordinal);

    /// <summary>A function's keep-alive policy; like its stats, it outlives revisions, whose idle times are the function's.</summary>
    internal KeepAlivePolicy KeepAliveOf(string function) =>
        _keepAlive.GetOrAdd(function, static (_, engine) => new KeepAlivePolicy(
            engine.Options.KeepAlive, engine.Options.KeepAlivePolicy == KeepAliveMode.Adaptive, engine._time), this);

    /// <summary>Raised with the function's name when an instance started ahead of an expected invocation is ready.</summary>
    internal event Action<string>? PreWarmed;

    internal void OnPreWarmed(string function) => PreWarmed?.Invoke(function);

    /// <summary>The engine's numbers for one function: starts, throttles, durations, instances by state, keep-alive.</summary>
    internal FunctionStatsSnapshot Snapshot(string function) =>
        StatsOf(function).Snapshot(
            function,
            _pools.TryGetValue(function, out var pool) ? pool.InstancesByState() : (0, 0, 0),
            KeepAliveOf(function).Snapshot());

    /// <summary>Each function with instances (its current revision's pool) and its instances by state.</summary>
    internal IEnumerable<(FunctionDefinition Function, (int Starting, int Idle, int Busy) Instances)> InstancesByFunction()
    {
        foreach (var pool in _pools.Values)
        {
            yield return (pool.Function, pool.InstancesByState());
        }
    }

    /// <summary>Most memory (the sum of MemorySize) the live instances of this node may be configured with.</summary>
    internal long MemoryBudgetMb { get; }

    private readonly Lock _memoryLock = new();
    private long _memoryInUseMb;

    /// <summary>
    /// Reserves memory for a new instance. When the budget is spent, idle instances are stopped, least
    /// recently used first, across all functions (unless <paramref name="evictIdle"/> is false); false
    /// when even that does not make room.
    /// </summary>
    internal bool TryReserveMemory(int megabytes, bool evictIdle = true)
    {
        if (!evictIdle)
        {
            lock (_memoryLock)
            {
                if (_memoryInUseMb + megabytes > MemoryBudgetMb)
                {
                    return false;
                }

                _memoryInUseMb += megabytes;
                return true;
            }
        }

        // Stopping every idle instance would not make room either: stop none.
        var reclaimable = _pools.Values.Sum(pool => pool.IdleCount * (long)pool.Function.MemorySize);
        lock (_memoryLock)
        {
            if (_memoryInUseMb - reclaimable + megabytes > MemoryBudgetMb)
            {
                return false;
            }
        }

        for (var attempt = 0; attempt < 1000; attempt++)
        {
            lock (_memoryLock)
            {
                if (_memoryInUseMb + megabytes <= MemoryBudgetMb)
                {
                    _memoryInUseMb += megabytes;
                    return true;
                }
            }

            InstancePool? victim = null;
            var oldest = long.MaxValue;
            foreach (var pool in _pools.Values)
            {
                if (pool.OldestIdleSince() is { } since && since < oldest)
                {
                    (victim, oldest) = (pool, since);
                }
            }

            if (victim is null)
            {
                return false;
            }

            // A lost race (the instance got work meanwhile) just tries again.
            victim.EvictOldestIdle();
        }

        return false;
    }

    internal void ReleaseMemory(int megabytes)
    {
        lock (_memoryLock)
        {
            _memoryInUseMb -= megabytes;
        }
    }

    /// <summary>Memory of the machine (MemTotal), in MB; 0 when unknown.</summary>
    private static long MachineMemoryMb()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kilobytes = line is null ? 0 : long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            return kilobytes / 1024;
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            return 0;
        }
    }

    public int InstanceCountOf(string functionName) =>
        _pools.TryGetValue(functionName, out var pool) ? pool.InstanceCount : 0;

    internal IReadOnlyList<Instance> InstancesOf(string functionName) =>
        _pools.TryGetValue(functionName, out var pool) ? pool.Instances() : [];

    /// <summary>
    /// Runs one invocation of <paramref name="function"/> and returns what it produced. Invocations in
    /// flight (running or waiting for an instance) count against the concurrency limit, as on Lambda;
    /// over it the caller gets TooManyRequestsException.
    /// </summary>
    public Task<InvocationResult> InvokeAsync(FunctionDefinition function, InvocationRequest invocation)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(invocation);
        if (_stopping)
        {
            return Task.FromResult(InvocationResult.Failure(invocation.RequestId, "ServiceException", "The server is shutting down"));
        }

        if (!Concurrency.TryAcquire(function.Name, out var fromReserved, out var reason))
        {
            StatsOf(function.Name).Throttled();
            throw Api.LambdaException.Throttled(reason, "Rate Exceeded.");
        }

        var keepAlive = KeepAliveOf(function.Name);
        keepAlive.Arrived();
        Task<InvocationResult> result;
        try
        {
            result = PoolFor(function).InvokeAsync(invocation);
        }
        catch
        {
            keepAlive.Finished();
            Concurrency.Release(function.Name, fromReserved);
            throw;
        }

        return ReleaseWhenDone(result, function.Name, fromReserved, keepAlive);
    }

    private async Task<InvocationResult> ReleaseWhenDone(Task<InvocationResult> result, string function, bool fromReserved, KeepAlivePolicy keepAlive)
    {
        try
        {
            return await result;
        }
        finally
        {
            keepAlive.Finished();
            Concurrency.Release(function, fromReserved);
        }
    }

    private InstancePool PoolFor(FunctionDefinition function) =>
        _pools.TryGetValue(function.PoolKey, out var pool) && pool.Function.RevisionId == function.RevisionId ? pool : ReplacePool(function);

    /// <summary>Places an invocation that already holds its concurrency slot (moved off a retired pool).</summary>
    internal Task<InvocationResult> RouteAsync(FunctionDefinition retired, InvocationRequest invocation)
    {
        // A $LATEST invocation goes to the function's current revision; a version's to that version, while it exists.
        if (!_stopping && _registry.TryResolve(retired.Name, retired.Version, route: false, out var function))
        {
            return PoolFor(function).InvokeAsync(invocation);
        }

        invocation.TryComplete(InvocationResult.Failure(invocation.RequestId, "ResourceNotFoundException", "Function was deleted"));
        return invocation.Result;
    }

    internal Instance CreateInstance(InstancePool pool) =>
        new(pool, pool.Function, pool.FunctionArn, _time, _loggerFactory.CreateLogger<Instance>());

    internal Task StartInstanceAsync(Instance instance, FunctionDefinition function)
    {
        var code = _registry.Code.CodeDirectory(CodeStore.HexFromBase64(function.CodeSha256));
        return instance.StartAsync(_launcher, code, _slots, Isolation, Placement);
    }

    private InstancePool ReplacePool(FunctionDefinition function)
    {
        var arn = FunctionArn.Format(Options.Region, function.AccountId, function.FunctionName, function.Version);
        while (true)
        {
            if (_pools.TryGetValue(function.PoolKey, out var existing))
            {
                if (existing.Function.RevisionId == function.RevisionId)
                {
                    return existing;
                }

                var fresh = new InstancePool(this, function, arn, _time, _logger);
                if (_pools.TryUpdate(function.PoolKey, fresh, existing))
                {
                    existing.Retire();
                    return fresh;
                }
            }
            else
            {
                var fresh = new InstancePool(this, function, arn, _time, _logger);
                if (_pools.TryAdd(function.PoolKey, fresh))
                {
                    return fresh;
                }
            }
        }
    }

    private void OnFunctionChanged(string name)
    {
        // New code or configuration: instances of the old revision finish what they run, then go.
        if (_pools.TryRemove(name, out var pool))
        {
            pool.Retire();
        }

        // A deleted function's published versions go with it (each has a pool of its own, name:N).
        if (!_registry.TryGet(name, out _))
        {
            foreach (var key in _pools.Keys.Where(key => key != name && FunctionRegistry.SplitQualifiedKey(key).Name == name))
            {
                if (_pools.TryRemove(key, out var versionPool))
                {
                    versionPool.Retire();
                }
            }
        }

        // Provisioned concurrency moves to the new revision or the alias's new version, or goes with a deleted function.
        EnsureProvisioned(name);
    }

    private void OnVersionDeleted(FunctionDefinition version)
    {
        _provisioned.TryRemove(version.PoolKey, out _);
        if (_pools.TryRemove(version.PoolKey, out var pool))
        {
            pool.Retire();
        }
    }

    /// <summary>Stops instances idle past their function's keep-alive, and pre-warms those its policy says are about to be needed.</summary>
    internal void Reap()
    {
        foreach (var pool in _pools.Values)
        {
            var keepAlive = KeepAliveOf(pool.Function.Name);
            pool.Reap(keepAlive.Windows);
            pool.PreWarm(keepAlive);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _registry.Changed -= OnFunctionChanged;
        _registry.VersionDeleted -= OnVersionDeleted;
        _registry.AliasChanged -= EnsureProvisioned;
        await _reaper.DisposeAsync();
        await Task.WhenAll(_pools.Values.Select(pool => pool.StopAsync()));
        _pools.Clear();
        await _slots.DisposeAsync();
        Isolation.Close();
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Information, "Instance limit on {Controller}: {How}")]
        public static partial void Enforcement(ILogger logger, string controller, string how);

        [LoggerMessage(32, LogLevel.Information, "Instance isolation: own user, private /tmp and /proc (mount namespace), data directory closed")]
        public static partial void Isolated(ILogger logger);

        [LoggerMessage(33, LogLevel.Information, "Instance memory budget: {Megabytes} MB (the MemorySize of live instances together)")]
        public static partial void MemoryBudget(ILogger logger, long megabytes);

        [LoggerMessage(34, LogLevel.Information, "Instance placement: each on cores of its own (one per 1769 MB), spread over CPUs {Cpus}")]
        public static partial void Placement(ILogger logger, string cpus);

        [LoggerMessage(31, LogLevel.Warning, "Not enforced: {Problem}")]
        public static partial void NotEnforced(ILogger logger, string problem);
    }
}
