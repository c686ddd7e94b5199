using System.Collections.Concurrent;
using System.Diagnostics;
using Stratus.Sandbox;

namespace Stratus.Execution;

/// <summary>
/// Processes started ahead of time, each already in a cgroup of its own, waiting on stdin for the
/// script that makes it an instance. Moving a process into a cgroup waits for an RCU grace period in
/// the kernel (5–20 ms on cgroup v1); a slot pays that before anyone is waiting for it.
/// </summary>
internal sealed class SlotPool : IAsyncDisposable
{
    // Joins the cgroups (the paths before "--"), then, in its own mount namespace when instances are
    // isolated, reads the path of a launch script and runs it.
    private const string Join = "while [ \"$1\" != -- ]; do echo $$ >\"$1\" || exit 125; shift; done; shift; ";
    private const string Wait = "read -r launch || exit 1; . \"$launch\"";

    private readonly ConcurrentQueue<Slot> _ready = new();
    private readonly Cgroups _cgroups;
    private readonly Isolation _isolation;
    private readonly string _codeStore;
    private readonly string _runtimesDirectory;
    private readonly int _target;
    private int _creating;
    private volatile bool _disposed;

    public SlotPool(Cgroups cgroups, Isolation isolation, string codeStore, string runtimesDirectory, int target)
    {
        _cgroups = cgroups;
        _isolation = isolation;
        _codeStore = codeStore;
        _runtimesDirectory = runtimesDirectory;
        _target = target;
        Fill();
    }

    /// <summary>A waiting process and its cgroup.</summary>
    internal sealed record Slot(Process Process, InstanceCgroup Cgroup);

    /// <summary>Takes a ready slot, or starts one now when none is.</summary>
    public Slot Take()
    {
        while (_ready.TryDequeue(out var slot))
        {
            if (!slot.Process.HasExited)
            {
                Fill();
                return slot;
            }

            _ = DiscardAsync(slot);
        }

        var fresh = Create();
        Fill();
        return fresh;
    }

    private void Fill()
    {
        while (!_disposed && _ready.Count + Volatile.Read(ref _creating) < _target)
        {
            Interlocked.Increment(ref _creating);
            _ = Task.Run(() =>
            {
                try
                {
                    _ready.Enqueue(Create());
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
                {
                    // The next Take starts one itself, and reports what goes wrong.
                }
                finally
                {
                    Interlocked.Decrement(ref _creating);
                }
            });
        }
    }

    private Slot Create()
    {
        var cgroup = _cgroups.Create("slot-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
        var start = new ProcessStartInfo(ProcessGroup.Setsid)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };
        start.Environment.Clear();
        start.ArgumentList.Add("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Join + (_isolation.Enabled ? "exec \"$@\"" : Wait));
        start.ArgumentList.Add("stratus-slot");
        foreach (var procs in cgroup.ProcsFiles)
        {
            start.ArgumentList.Add(procs);
        }

        start.ArgumentList.Add("--");
        foreach (var argument in _isolation.Enabled ? _isolation.EnterSlot(Wait, _codeStore, _runtimesDirectory) : [])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            process.Start();
            return new Slot(process, cgroup);
        }
        catch
        {
            cgroup.Dispose();
            throw;
        }
    }

    private static async Task DiscardAsync(Slot slot)
    {
        ProcessGroup.Kill(slot.Process.Id);
        await slot.Cgroup.DisposeAsync();
        slot.Process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (Volatile.Read(ref _creating) > 0)
        {
            await Task.Yield();
        }

        while (_ready.TryDequeue(out var slot))
        {
            await DiscardAsync(slot);
        }
    }
}
