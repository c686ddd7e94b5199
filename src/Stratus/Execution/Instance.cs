using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Stratus.Functions;

namespace Stratus.Execution;

/// <summary>
/// One execution environment: a runtime process, its own Runtime API endpoint, and the invocation
/// it is running. It runs one invocation at a time; its pool decides which.
/// </summary>
internal sealed partial class Instance : IRuntimeApiHandler, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly InstancePool _pool;
    private readonly FunctionDefinition _function;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private OutputLog? _output;
    private SlotPool.Slot? _slot;
    private SlotPool? _slots;
    private readonly long _startedAt;
    private readonly string _functionArn;

    private RuntimeApiServer? _api;
    private Process? _process;
    private bool _ready;
    private bool _dead;
    private double _initDurationMs = -1;
    private InvocationRequest? _queued;
    private TaskCompletionSource<DispatchedInvocation?>? _waitingNext;
    private Running? _running;
    private string? _lastCompletedId;
    private string _logStream = "";
    private (ReadOnlyMemory<byte> Body, string? Type)? _initError;
    private ITimer? _initTimer;
    private PeakMemory? _peakMemory;
    private CpuTime? _cpuTime;
    private Sandbox.InstanceCgroup? _cgroup;
    private CpuPlacement.Lease? _placement;
    private bool _placementApplied;
    private readonly Lock _placementLock = new();
    private Sandbox.Isolation? _isolation;
    private int _uid;
    private string? _launchScript;

    private sealed class Running
    {
        public required InvocationRequest Invocation { get; init; }

        public required long StartedAt { get; init; }

        public required ITimer Timer { get; init; }

        public required string Preamble { get; init; }

        public double InitDurationMs { get; init; } = -1;

        public required DateTimeOffset StartedUtc { get; init; }
    }

    public Instance(InstancePool pool, FunctionDefinition function, string functionArn, TimeProvider time, ILogger logger)
    {
        _pool = pool;
        _function = function;
        _functionArn = functionArn;
        _time = time;
        _logger = logger;
        _startedAt = time.GetTimestamp();
        Id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
    }

    public string Id { get; }

    /// <summary>Started to keep provisioned concurrency, not for a waiting invocation.</summary>
    public bool Provisioned { get; set; }

    /// <summary>The runtime's process id (0 before it started); kept apart from the disposable Process.</summary>
    public int ProcessId { get; private set; }

    /// <summary>The Runtime API this instance is served on (null before it started).</summary>
    internal RuntimeApiServer? Api => _api;

    /// <summary>When this instance last became idle, for keep-alive.</summary>
    public long IdleSince { get; set; }

    public async Task StartAsync(RuntimeLauncher launcher, string codeDirectory, SlotPool slots, Sandbox.Isolation isolation, CpuPlacement? placement = null)
    {
        SlotPool.Slot slot;
        _slots = slots;
        try
        {
            var offline = !_function.NetworkAccess && isolation.NetworkNamespaces;
            if (!_function.NetworkAccess && !offline)
            {
                Log.NetworkNotEnforced(_logger, _function.Name, isolation.Problem ?? "network namespaces cannot be created here");
            }

            slot = offline ? await slots.TakeOfflineAsync()
                : (RuntimeLauncher.CanUseStandby(_function, out var family) ? slots.TakeStandby(family) : null) ?? slots.Take();
            _slot = slot;
            _output = new OutputLog(slot.OutputPath);
            _cgroup = slot.Cgroup;
            _cgroup.Apply(Sandbox.ResourceLimits.ForMemory(_function.MemorySize));
            if (isolation.Enabled)
            {
                _isolation = isolation;
                _uid = slot.Uid;
                isolation.PrepareCode(codeDirectory);
                slot.Mounts!.AttachCode(codeDirectory);
                slot.Mounts.ResizeTmp(_function.EphemeralStorageMb);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            _initError = (InvocationResult.ErrorPayload("Runtime.SandboxError", "Could not prepare the instance's sandbox: " + ex.Message), "Runtime.SandboxError");
            await FailAsync("no sandbox");
            return;
        }

        try
        {
            if (slot.Api is { } ready)
            {
                ready.Handler.Attach(this);
                _api = ready.Server;
            }
            else
            {
                // A node runtime has its answers sent through a pipe of its own (see ReplyPipe).
                var pipe = ReplyPipe.ForRuntime(Runtimes.TryGetFamily(_function.Runtime, out var runtimeFamily) ? runtimeFamily : null, slot.OutputPath, _isolation is null ? null : _uid);
                _api = RuntimeApiServer.Start(this, _logger, Path.ChangeExtension(slot.OutputPath, ".sock"), _isolation is null ? null : _uid,
                    !_function.NetworkAccess && isolation.NetworkNamespaces ? slot.Process.Id : null, pipe);
            }
        }
        catch (IOException ex)
        {
            _initError = (InvocationResult.ErrorPayload("Runtime.SandboxError", "Could not open the instance's Runtime API: " + ex.Message), "Runtime.SandboxError");
            await FailAsync("no runtime api");
            return;
        }

        if (_isolation is not null && slot.Api is null && _api.SocketPath is { } socket)
        {
            Sandbox.Isolation.GiveTo(socket, _uid);
        }

        var now = _time.GetUtcNow();
        var logStream = string.Create(CultureInfo.InvariantCulture, $"{now:yyyy/MM/dd}/[{_function.Version}]{Id}");
        _logStream = logStream;
        var process = slot.Process;
        _process = process;
        ProcessId = process.Id;
        process.Exited += (_, _) => _ = OnExitedAsync();
        if (placement is not null)
        {
            // Chosen now, applied once the first invocation is answered (ApplyPlacement): moving a
            // runtime and its threads costs a cold start about 2 ms, and placement is for the warm ones.
            _placement = placement.Place(_function.MemorySize, _ =>
            {
                if (Volatile.Read(ref _placementApplied))
                {
                    ApplyPlacement();
                }
            });
        }

        // Both before the runtime is told to go: a fast runtime can be ready, and its first invocation
        // answered, before this thread gets further.
        _peakMemory = _cgroup.PeakMemoryFile is { } peakFile ? PeakMemory.ForCgroup(peakFile, _time) : PeakMemory.ForProcess(process.Id, _time);
        _cpuTime = _cgroup.CpuUsageFile is { } cpuFile ? new CpuTime(cpuFile.Path, cpuFile.IsV2, _time)
            : _cgroup.ProcsFiles.FirstOrDefault() is { } procs ? CpuTime.ForCgroupProcesses(procs, _time)
            : CpuTime.ForProcess(process.Id, _time);
        _initTimer = _time.CreateTimer(_ => OnInitTimeout(), null, _pool.InitTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            if (slot.Standby is not null)
            {
                FromStandby = true;
                process.StandardInput.WriteLine(launcher.Specialise(_function, codeDirectory, _api.Port, _api.SocketPath, logStream, _isolation is not null));
            }
            else
            {
                var (script, errorType, errorMessage) = launcher.Prepare(_function, codeDirectory, _api.Port, _api.SocketPath, _api.ReplyPipePath, logStream, _isolation is not null);
                if (script is null)
                {
                    _initError = (InvocationResult.ErrorPayload(errorType!, errorMessage!), errorType);
                    await FailAsync("init failed");
                    return;
                }

                // It holds the function's environment: readable by the server and, isolated, by the
                // instance's own user (the slot's shell already runs as it), by no one else.
                _launchScript = Path.ChangeExtension(slot.OutputPath, ".launch");
                using (var file = new FileStream(_launchScript, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }))
                {
                    file.Write(System.Text.Encoding.UTF8.GetBytes(script));
                }

                if (_isolation is not null)
                {
                    Sandbox.Isolation.GiveTo(_launchScript, _uid);
                }

                process.StandardInput.WriteLine(_launchScript);
            }

            process.StandardInput.Close();
        }
        catch (IOException ex)
        {
            _initError = (InvocationResult.ErrorPayload("Runtime.InvalidEntrypoint", ex.Message), "Runtime.InvalidEntrypoint");
            await FailAsync("could not start");
            return;
        }

        if (process.HasExited)
        {
            _ = OnExitedAsync();
        }

        Log.Started(_logger, _function.Name, Id, process.Id, FromStandby);
    }

    /// <summary>Became this function's instance from a standby runtime, skipping the interpreter's boot.</summary>
    public bool FromStandby { get; private set; }

    /// <summary>Hands this instance its next invocation (the pool calls this once per idle period).</summary>
    public void Assign(InvocationRequest invocation)
    {
        TaskCompletionSource<DispatchedInvocation?>? waiting;
        DispatchedInvocation? dispatched = null;
        lock (_lock)
        {
            if (_dead)
            {
                waiting = null;
            }
            else if (_waitingNext is not null)
            {
                waiting = _waitingNext;
                _waitingNext = null;
                dispatched = BeginLocked(invocation);
            }
            else
            {
                waiting = null;
                _queued = invocation;
            }
        }

        if (dispatched is not null)
        {
            waiting!.TrySetResult(dispatched);
        }
        else if (waiting is null && _dead)
        {
            // Died between being picked and being handed work: let the pool place it elsewhere.
            _pool.Requeue(invocation);
        }
    }

    public Task<DispatchedInvocation?> NextAsync()
    {
        bool first;
        TaskCompletionSource<DispatchedInvocation?> waiting;
        lock (_lock)
        {
            if (_dead)
            {
                return Task.FromResult<DispatchedInvocation?>(null);
            }

            if (_queued is { } queued)
            {
                _queued = null;
                return Task.FromResult<DispatchedInvocation?>(BeginLocked(queued));
            }

            // Continuations run inline: the caller that assigns work writes the runtime's response itself.
            waiting = new TaskCompletionSource<DispatchedInvocation?>();
            _waitingNext = waiting;
            first = !_ready;
            if (first)
            {
                _ready = true;
                _initDurationMs = _time.GetElapsedTime(_startedAt).TotalMilliseconds;
                _initTimer?.Dispose();
            }
        }

        if (first)
        {
            // The invocation waiting for this cold start goes first; the CPU share (for what the
            // function runs from now on) and the log line follow while it runs.
            _pool.OnReady(this, _initDurationMs);
            _cgroup?.LimitCpu();
            Log.Ready(_logger, _function.Name, Id, _initDurationMs);
            if (waiting.Task.IsCompleted)
            {
                // The cold start's invocation runs now: its replacement slot boots once it is answered.
                _replenishAfterFirst = true;
            }
            else
            {
                _slots?.Replenish();
            }
        }

        return waiting.Task;
    }

    public int Complete(string requestId, byte[] body, string? errorType, bool isError, out Outcome? outcome)
    {
        var running = TakeRunning(requestId);
        if (running is null)
        {
            outcome = null;
            lock (_lock)
            {
                return requestId == _lastCompletedId ? 403 : 400;
            }
        }

        var duration = _time.GetElapsedTime(running.StartedAt).TotalMilliseconds;
        var result = Finish(running, body, isError ? "Unhandled" : null, duration, isError ? InvocationOutcome.Error : InvocationOutcome.Success, null);
        outcome = new Outcome(running.Invocation, result);
        // A first invocation runs code nothing has compiled yet; it says little about the next ones.
        _pool.Release(this, running.InitDurationMs >= 0 ? -1 : duration, result.Metrics?.CpuMicros ?? 0);
        ReplenishAfterFirst();
        if (_placement is not null && !_placementApplied)
        {
            _placementApplied = true;
            ThreadPool.UnsafeQueueUserWorkItem(static instance => instance.ApplyPlacement(), this, preferLocal: false);
        }

        return 202;
    }

    public Outcome? ResponseTooLarge(string requestId)
    {
        var running = TakeRunning(requestId);
        if (running is null)
        {
            return null;
        }

        var duration = _time.GetElapsedTime(running.StartedAt).TotalMilliseconds;
        var payload = InvocationResult.ErrorPayload(
            "Function.ResponseSizeTooLarge",
            $"Response payload size exceeded maximum allowed payload size ({FunctionLimits.MaxSyncPayloadBytes} bytes).");
        _pool.Release(this, duration);
        ReplenishAfterFirst();
        return new Outcome(running.Invocation, Finish(running, payload, "Unhandled", duration, InvocationOutcome.Error, null));
    }

    public void InitError(byte[] body, string? errorType)
    {
        lock (_lock)
        {
            _initError = (body, errorType);
        }

        // Lambda does not keep an environment whose init failed.
        Kill();
    }

    public async ValueTask DisposeAsync()
    {
        await FailAsync("shutdown");
    }

    private DispatchedInvocation BeginLocked(InvocationRequest invocation)
    {
        var timeout = TimeSpan.FromSeconds(_function.Timeout);
        var now = _time.GetUtcNow();
        // What init printed goes before the first START, as Lambda shows it. Later, what a runtime
        // prints between invocations is read with the next invocation's output, after its START:
        // where Lambda shows it too (a frozen environment runs it on the next invocation), and it
        // spares every warm invocation a read of the output file.
        var preamble = _anyInvoked ? "" : _output!.Take();
        // An instance of provisioned concurrency was initialised before anyone asked: no cold start.
        var first = !Provisioned && _initDurationMs >= 0 && !_anyInvoked;
        _anyInvoked = true;
        invocation.LogStream = _logStream;
        _pool.Stats.Started(first, FromStandby, invocation.EnqueuedAt == 0 ? -1 : _time.GetElapsedTime(invocation.EnqueuedAt).TotalMilliseconds);
        _running = new Running
        {
            Invocation = invocation,
            StartedAt = _time.GetTimestamp(),
            Timer = _time.CreateTimer(static state => _ = ((Instance)state!).OnTimeoutAsync(), this, timeout, Timeout.InfiniteTimeSpan),
            Preamble = preamble,
            InitDurationMs = first ? _initDurationMs : -1,
            StartedUtc = now,
        };
        var traceId = invocation.Trace.TraceId != default
            ? Observability.TraceHeaders.ToLambda(invocation.Trace)
            : string.Create(CultureInfo.InvariantCulture, $"Root=1-{now.ToUnixTimeSeconds():x8}-{Id.AsSpan(0, 24)};Sampled=0");
        return new DispatchedInvocation(invocation, (now + timeout).ToUnixTimeMilliseconds(), invocation.InvokedFunctionArn ?? _functionArn, traceId);
    }

    private bool _anyInvoked;

    // Set when the cold start's own invocation was handed over as the instance became ready: booting
    // a replacement slot would take the CPU from it on a small machine.
    private volatile bool _replenishAfterFirst;

    /// <summary>
    /// Pins the runtime and every thread of it to the instance's cores, and the server threads that
    /// serve its Runtime API with them: the two hand every invocation to each other, and a hand-off
    /// within one core wakes no other. Again whenever the placement moves the instance.
    /// </summary>
    private void ApplyPlacement()
    {
        lock (_placementLock)
        {
            if (_dead || _placement is not { } placement)
            {
                return;
            }

            var cpus = placement.Cpus;
            CpuPlacement.Pin(ProcessId, cpus);
            _api?.PlaceOn(cpus);
        }
    }

    private void ReplenishAfterFirst()
    {
        if (_replenishAfterFirst)
        {
            _replenishAfterFirst = false;
            _ = ReplenishSoonAsync();
        }
    }

    // Booting a replacement is background work: it starts once the reply to the cold start is out,
    // not while the caller is still reading it (on a small machine it would take a core from it).
    private async Task ReplenishSoonAsync()
    {
        await Task.Delay(ReplenishDelay, _time);
        _slots?.Replenish();
    }

    private static readonly TimeSpan ReplenishDelay = TimeSpan.FromMilliseconds(20);

    private Running? TakeRunning(string? requestId)
    {
        lock (_lock)
        {
            var running = _running;
            if (running is null || (requestId is not null && running.Invocation.RequestId != requestId))
            {
                return null;
            }

            _running = null;
            _lastCompletedId = running.Invocation.RequestId;
            running.Timer.Dispose();
            return running;
        }
    }

    private async Task OnTimeoutAsync()
    {
        var running = TakeRunning(null);
        if (running is null)
        {
            return;
        }

        var duration = _time.GetElapsedTime(running.StartedAt).TotalMilliseconds;
        var seconds = _function.Timeout.ToString("0.00", CultureInfo.InvariantCulture);
        Log.TimedOut(_logger, _function.Name, Id, running.Invocation.RequestId);
        var timeoutLine = string.Create(CultureInfo.InvariantCulture, $"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {running.Invocation.RequestId} Task timed out after {seconds} seconds\n");
        var payload = InvocationResult.ErrorPayload("Sandbox.Timedout", $"RequestId: {running.Invocation.RequestId} Error: Task timed out after {seconds} seconds");
        try
        {
            Kill();
            running.Invocation.TryComplete(Finish(running, payload, "Unhandled", duration, InvocationOutcome.Timeout, "timeout", timeoutLine));
        }
        finally
        {
            // Whatever went wrong collecting the log, the caller still gets its answer.
            running.Invocation.TryComplete(new InvocationResult(payload, "Unhandled", timeoutLine) { Metrics = Measure(running, duration, InvocationOutcome.Timeout) });
            await FailAsync("timed out");
        }
    }

    private void OnInitTimeout()
    {
        lock (_lock)
        {
            if (_ready || _dead)
            {
                return;
            }

            var seconds = _pool.InitTimeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
            _initError = (InvocationResult.ErrorPayload("Sandbox.Timedout", $"Init phase timed out after {seconds} seconds"), "Sandbox.Timedout");
        }

        Kill();
    }

    private async Task OnExitedAsync()
    {
        var process = _process!;
        string exit;
        try
        {
            var code = process.ExitCode;
            // The shell reports a signal as 128+n.
            exit = code > 128 ? $"signal: {SignalName(code - 128)}" : $"exit status {code}";
        }
        catch (InvalidOperationException)
        {
            exit = "exit status unknown";
        }

        Log.Exited(_logger, _function.Name, Id, exit);
        var running = TakeRunning(null);
        if (running is not null)
        {
            var duration = _time.GetElapsedTime(running.StartedAt).TotalMilliseconds;
            running.Invocation.TryComplete(Finish(
                running,
                InvocationResult.ErrorPayload("Runtime.ExitError", $"RequestId: {running.Invocation.RequestId} Error: Runtime exited with error: {exit}"),
                "Unhandled",
                duration,
                InvocationOutcome.Crash,
                "error",
                $"RequestId: {running.Invocation.RequestId} Error: Runtime exited with error: {exit}\nRuntime.ExitError\n"));
        }

        await FailAsync(exit);
    }

    /// <summary>Marks the instance dead, tells the pool, and releases the process and endpoint.</summary>
    private async Task FailAsync(string reason)
    {
        TaskCompletionSource<DispatchedInvocation?>? waiting;
        InvocationRequest? queued;
        bool wasReady;
        (ReadOnlyMemory<byte> Body, string? Type)? initError;
        lock (_lock)
        {
            if (_dead)
            {
                return;
            }

            _dead = true;
            waiting = _waitingNext;
            _waitingNext = null;
            queued = _queued;
            _queued = null;
            wasReady = _ready;
            initError = _initError;
            _initTimer?.Dispose();
        }

        waiting?.TrySetResult(null);
        Kill();
        _placement?.Dispose();
        _slots?.Replenish();
        var log = _output?.Take() ?? "";
        _pool.OnDead(this, wasReady, initError, log, reason, _time.GetElapsedTime(_startedAt).TotalMilliseconds);
        if (queued is not null)
        {
            _pool.Requeue(queued);
        }

        // A still-running invocation (shutdown) fails rather than hanging.
        var running = TakeRunning(null);
        running?.Invocation.TryComplete(InvocationResult.Failure(running.Invocation.RequestId, "Runtime.ExitError", "Runtime exited with error: shutdown"));
        _api?.Dispose();

        // The kill is asynchronous: wait (bounded) until the runtime is really gone, so a stopped server
        // or a retired instance leaves no process behind.
        if (_process is not null)
        {
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(exited.Token);
            }
            catch (OperationCanceledException)
            {
                Log.StillRunning(_logger, _function.Name, Id, ProcessId);
            }
        }

        if (_slot is not null)
        {
            // Only then is no process of this user left, for another instance to reuse it.
            await _slots!.ReleaseAsync(_slot);
        }
        if (_launchScript is not null)
        {
            File.Delete(_launchScript);
        }

        _output?.Dispose();
        _peakMemory?.Dispose();
        _cpuTime?.Dispose();
        _process?.Dispose();
    }

    private void Kill()
    {
        // The whole group: a runtime's children die with it, even those it orphaned; and whatever
        // is still in the instance's cgroup, even a process that left the group.
        ProcessGroup.Kill(ProcessId);
        _cgroup?.Kill();
    }

    // Measured once: the REPORT line and the usage record show the same numbers.
    private InvocationResult Finish(Running running, ReadOnlyMemory<byte> payload, string? functionError, double durationMs, string outcome, string? status, string? extra = null)
    {
        var metrics = Measure(running, durationMs, outcome);
        return new(payload, functionError, BuildLog(running, metrics, status, extra)) { Metrics = metrics };
    }

    private InvocationMetrics Measure(Running running, double durationMs, string outcome) => new(
        running.StartedUtc,
        durationMs,
        InvocationMetrics.Billed(durationMs, running.InitDurationMs),
        running.InitDurationMs,
        _function.MemorySize,
        MaxMemoryUsedMb(),
        _cpuTime?.TakeMicros() ?? 0,
        outcome);

    private string BuildLog(Running running, InvocationMetrics metrics, string? status, string? extra = null)
    {
        var id = running.Invocation.RequestId;
        // One builder per thread: only the finished text is a new object.
        var text = t_log ??= new StringBuilder(1024);
        text.Clear();
        text.Append(running.Preamble);
        text.Append(CultureInfo.InvariantCulture, $"START RequestId: {id} Version: {_function.Version}\n");
        text.Append(_output!.Take());
        if (extra is not null)
        {
            text.Append(extra);
        }

        text.Append(CultureInfo.InvariantCulture, $"END RequestId: {id}\n");
        text.Append(CultureInfo.InvariantCulture,
            $"REPORT RequestId: {id}\tDuration: {metrics.DurationMs:0.00} ms\tBilled Duration: {metrics.BilledMs} ms\tMemory Size: {metrics.MemorySizeMb} MB\tMax Memory Used: {metrics.MaxMemoryUsedMb} MB\t");
        if (running.InitDurationMs >= 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Init Duration: {running.InitDurationMs:0.00} ms\t");
        }

        if (status is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Status: {status}\t");
        }

        text.Append('\n');
        var log = text.ToString();
        if (text.Capacity > MaxKeptLogBuilder)
        {
            // A runtime that printed megabytes does not leave a builder that size behind.
            t_log = null;
        }

        return log;
    }

    private const int MaxKeptLogBuilder = 16 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_log;

    private long MaxMemoryUsedMb() => _peakMemory?.ReadMegabytes() ?? 0;

    private static string SignalName(int signal) => signal switch
    {
        9 => "killed",
        15 => "terminated",
        6 => "aborted",
        11 => "segmentation fault",
        _ => "signal " + signal.ToString(CultureInfo.InvariantCulture),
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Instance {InstanceId} of {Function} started as process {Pid} (from a standby runtime: {FromStandby})")]
        public static partial void Started(ILogger logger, string function, string instanceId, int pid, bool fromStandby);

        [LoggerMessage(2, LogLevel.Debug, "Instance {InstanceId} of {Function} ready after {InitMs:0.00} ms")]
        public static partial void Ready(ILogger logger, string function, string instanceId, double initMs);

        [LoggerMessage(3, LogLevel.Information, "Instance {InstanceId} of {Function} timed out running {RequestId}")]
        public static partial void TimedOut(ILogger logger, string function, string instanceId, string requestId);

        [LoggerMessage(4, LogLevel.Debug, "Instance {InstanceId} of {Function} exited: {Exit}")]
        public static partial void Exited(ILogger logger, string function, string instanceId, string exit);

        [LoggerMessage(6, LogLevel.Warning, "{Function} is set to run without network access, which is not enforced here: {Why}")]
        public static partial void NetworkNotEnforced(ILogger logger, string function, string why);

        [LoggerMessage(5, LogLevel.Warning, "Instance {InstanceId} of {Function}: process {Pid} did not exit 5 s after SIGKILL")]
        public static partial void StillRunning(ILogger logger, string function, string instanceId, int pid);
    }
}
