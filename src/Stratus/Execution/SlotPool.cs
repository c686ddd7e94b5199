using System.Collections.Concurrent;
using System.Diagnostics;
using Stratus.Functions;
using Stratus.Sandbox;

namespace Stratus.Execution;

/// <summary>
/// Processes started ahead of time, each already in a cgroup (and, isolated, a mount namespace) of
/// its own. Moving a process into a cgroup waits for an RCU grace period in the kernel (5–20 ms on
/// cgroup v1); a slot pays that before anyone is waiting for it. Two kinds:
/// <list type="bullet">
/// <item>a generic slot, a shell waiting on stdin for the script that makes it an instance;</item>
/// <item>a standby runtime: node or python already booted, with its bootstrap loaded and warmed up,
/// waiting on stdin for the function it is to become (see <see cref="RuntimeLauncher.Specialise"/>),
/// so a cold start skips the interpreter's boot.</item>
/// </list>
/// </summary>
internal sealed class SlotPool : IAsyncDisposable
{
    // Joins the cgroups (the paths before "--"), then runs the rest.
    private const string Join = "while [ \"$1\" != -- ]; do echo $$ >\"$1\" || exit 125; shift; done; shift; exec \"$@\"";
    private const string Wait = "read -r launch || exit 1; . \"$launch\"";

    private readonly Cgroups _cgroups;
    private readonly Isolation _isolation;
    private readonly RuntimeLauncher _launcher;
    private readonly string _runDirectory;
    private readonly Reserve _generic;
    private readonly Dictionary<RuntimeFamily, Reserve> _standby = [];
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private volatile bool _disposed;

    public SlotPool(Cgroups cgroups, Isolation isolation, RuntimeLauncher launcher, string runDirectory, int generic, int standbyPerRuntime, Microsoft.Extensions.Logging.ILogger logger)
    {
        _logger = logger;
        _cgroups = cgroups;
        _isolation = isolation;
        _launcher = launcher;
        _runDirectory = runDirectory;
        _generic = new Reserve(null, generic);
        foreach (var family in new[] { RuntimeFamily.Node, RuntimeFamily.Python })
        {
            if (standbyPerRuntime > 0 && launcher.StandbyCommand(family, isolation.Enabled, null) is not null)
            {
                _standby[family] = new Reserve(family, standbyPerRuntime);
            }
        }

        Fill(_generic);
        foreach (var reserve in _standby.Values)
        {
            Fill(reserve);
        }
    }

    /// <summary>
    /// A waiting process, its cgroup, its mount points and user when isolated, and where its output goes;
    /// a standby runtime also has its Runtime API endpoint open ahead of time (it connects once booted).
    /// </summary>
    internal sealed record Slot(string Id, Process Process, InstanceCgroup Cgroup, SlotMounts? Mounts, int Uid, RuntimeFamily? Standby, string OutputPath)
    {
        public (RuntimeApiServer Server, DeferredRuntimeApiHandler Handler)? Api { get; init; }

        /// <summary>
        /// Whether its process is ready to become an instance at once. A standby runtime connects to its
        /// endpoint only once it has booted and warmed up; until then a cold start it served would wait
        /// for that, and the boot takes CPU from whatever else runs.
        /// </summary>
        public bool Booted => Api is not { } api || api.Server.Connected;
    }

    private sealed class Reserve(RuntimeFamily? family, int target)
    {
        public readonly ConcurrentQueue<Slot> Ready = new();
        public readonly RuntimeFamily? Family = family;
        public readonly int Target = target;
        public int Creating;
    }

    /// <summary>Takes a ready generic slot, or starts one now when none is.</summary>
    public Slot Take() => TryTake(_generic) ?? Create(null);

    /// <summary>
    /// Starts a generic slot with a network namespace of its own (nothing but its own loopback), for a
    /// function that runs without network access, and waits until it is in it: the server then opens
    /// the instance's Runtime API port there. Isolated servers only.
    /// </summary>
    public async Task<Slot> TakeOfflineAsync()
    {
        var slot = Create(null, network: false);
        for (var attempt = 0; attempt < 5000 && !slot.Process.HasExited && !NetworkNamespace.HasOwn(slot.Process.Id); attempt++)
        {
            await Task.Delay(1);
        }

        if (slot.Process.HasExited || !NetworkNamespace.HasOwn(slot.Process.Id))
        {
            await DiscardAsync(slot);
            throw new IOException("the slot did not get a network namespace of its own");
        }

        return slot;
    }

    /// <summary>Takes a standby runtime of <paramref name="family"/> if one is ready.</summary>
    public Slot? TakeStandby(RuntimeFamily family) => _standby.TryGetValue(family, out var reserve) ? TryTake(reserve) : null;

    /// <summary>Ready generic slots, and standby runtimes booted and ready by runtime family (lower case).</summary>
    public (int Generic, IReadOnlyDictionary<string, int> Standby) Ready() =>
        (_generic.Ready.Count, _standby.ToDictionary(pair => pair.Key.ToString().ToLowerInvariant(), pair => pair.Value.Ready.Count(slot => slot.Booted)));

    /// <summary>Gives back the mount points, cgroup and user of a slot whose processes are gone.</summary>
    public async Task ReleaseAsync(Slot slot)
    {
        slot.Mounts?.Dispose();
        await slot.Cgroup.DisposeAsync();
        if (slot.Mounts is not null)
        {
            _isolation.ReturnUser(slot.Uid);
        }
    }

    private Slot? TryTake(Reserve reserve)
    {
        Slot? taken = null;
        while (reserve.Ready.TryDequeue(out var slot))
        {
            if (!slot.Process.HasExited)
            {
                taken = slot;
                break;
            }

            _ = DiscardAsync(slot);
        }

        return taken;
    }

    /// <summary>
    /// Starts slots to replace those taken. Called once the instance that took one is ready (or gone),
    /// so that booting a replacement does not compete for the CPU with that instance's cold start.
    /// </summary>
    public void Replenish()
    {
        Fill(_generic);
        foreach (var reserve in _standby.Values)
        {
            Fill(reserve);
        }
    }

    private void Fill(Reserve reserve)
    {
        while (!_disposed && reserve.Ready.Count + Volatile.Read(ref reserve.Creating) < reserve.Target)
        {
            Interlocked.Increment(ref reserve.Creating);
            _ = Task.Run(() =>
            {
                try
                {
                    reserve.Ready.Enqueue(Create(reserve.Family));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
                {
                    // A generic slot is started on demand instead, and reports what goes wrong.
                }
                finally
                {
                    Interlocked.Decrement(ref reserve.Creating);
                }
            });
        }
    }

    private Slot Create(RuntimeFamily? standby, bool network = true)
    {
        var id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var output = Path.Combine(_runDirectory, id + ".log");
        var cgroup = _cgroups.Create("slot-" + id);
        if (standby is not null)
        {
            cgroup.Yield();
        }

        SlotMounts? mounts = null;
        (RuntimeApiServer Server, DeferredRuntimeApiHandler Handler)? api = null;
        var uid = 0;
        try
        {
            // For Stratus alone; the slot's root shell opens it to append before dropping privileges.
            File.Create(output, 0, FileOptions.None).Dispose();
            File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (_isolation.Enabled)
            {
                mounts = SlotMounts.Create(Path.Combine(_isolation.SocketDirectory, "slots", id));
                uid = _isolation.RentUser();
            }

            if (standby is not null)
            {
                var handler = new DeferredRuntimeApiHandler();
                // A node runtime has its answers sent through a pipe of its own (see ReplyPipe).
                var pipe = ReplyPipe.ForRuntime(standby, output, mounts is null ? null : uid);
                api = (RuntimeApiServer.Start(handler, _logger, Path.ChangeExtension(output, ".sock"), mounts is null ? null : uid, replyPipe: pipe), handler);
                if (mounts is not null && api.Value.Server.SocketPath is { } socket)
                {
                    Isolation.GiveTo(socket, uid);
                }
            }

            var start = new ProcessStartInfo(ProcessGroup.Setsid)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                WorkingDirectory = "/",
            };
            start.Environment.Clear();
            foreach (var argument in (string[])["/bin/sh", "-c", Join, "stratus-slot", .. cgroup.ProcsFiles, "--", .. Command(standby, mounts, uid, output, network, api?.Server.SocketPath, api?.Server.ReplyPipePath)])
            {
                start.ArgumentList.Add(argument);
            }

            if (standby is { } family)
            {
                foreach (var (key, value) in RuntimeLauncher.StandbyEnvironment(family))
                {
                    start.Environment[key] = value;
                }
            }

            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            process.Start();
            return new Slot(id, process, cgroup, mounts, uid, standby, output) { Api = api };
        }
        catch
        {
            api?.Server.Dispose();
            if (mounts is not null)
            {
                mounts.Dispose();
                _isolation.ReturnUser(uid);
            }

            cgroup.Dispose();
            File.Delete(output);
            throw;
        }
    }

    private IEnumerable<string> Command(RuntimeFamily? standby, SlotMounts? mounts, int uid, string output, bool network, string? socket, string? pipe)
    {
        // Its output goes to the slot's file from the first line on. Isolated, the slot drops to the
        // instance's user as it starts, not when it becomes an instance: the privilege drop (an exec of
        // setpriv) is paid before anyone waits for the slot.
        if (standby is not { } family)
        {
            return mounts is null
                ? ["/bin/sh", "-c", "exec >>\"$0\" 2>&1; " + Wait, output]
                : Isolation.EnterSlot(mounts, _launcher.RuntimesDirectory, "exec >>\"$1\" 2>&1; shift; exec \"$@\"", [output, .. Isolation.DropTo(uid), "/bin/sh", "-c", Wait], network);
        }

        // A standby runtime's stdin stays the server's pipe; isolated, it never holds a privilege.
        var runtime = _launcher.StandbyCommand(family, mounts is not null, socket, pipe)!;
        return mounts is null
            ? ["/bin/sh", "-c", "exec >>\"$0\" 2>&1; exec \"$@\"", output, .. runtime]
            : Isolation.EnterSlot(mounts, _launcher.RuntimesDirectory, "exec >>\"$1\" 2>&1; shift; exec \"$@\"", [output, .. Isolation.DropTo(uid), .. runtime]);
    }

    private async Task DiscardAsync(Slot slot)
    {
        ProcessGroup.Kill(slot.Process.Id);
        try
        {
            await slot.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // Its cgroup's clean-up kills what is left.
        }

        slot.Api?.Server.Dispose();
        await ReleaseAsync(slot);
        File.Delete(slot.OutputPath);
        slot.Process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var reserve in _standby.Values.Append(_generic))
        {
            while (Volatile.Read(ref reserve.Creating) > 0)
            {
                await Task.Yield();
            }

            while (reserve.Ready.TryDequeue(out var slot))
            {
                await DiscardAsync(slot);
            }
        }
    }
}
