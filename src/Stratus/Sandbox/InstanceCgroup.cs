using System.Buffers.Text;
using System.Globalization;

namespace Stratus.Sandbox;

/// <summary>
/// The cgroup(s) of one instance: one directory on the v2 tree, or one per v1 hierarchy. The
/// runtime's launcher joins them before it runs any function code; everything it spawns stays in
/// them, so limits, accounting and the final kill reach every process, even one that left the
/// process group.
/// </summary>
internal sealed class InstanceCgroup : IAsyncDisposable
{
    private readonly List<Directory> _directories;

    internal sealed record Directory(string Path, bool IsV2, List<Controller> Controllers);

    public InstanceCgroup(List<Directory> directories) => _directories = directories;

    public ResourceLimits? Limits { get; private set; }

    /// <summary>Sets the memory and process limits now (the CPU share waits for <see cref="LimitCpu"/>).</summary>
    public void Apply(ResourceLimits limits)
    {
        Limits = limits;
        foreach (var directory in _directories)
        {
            foreach (var controller in directory.Controllers)
            {
                Cgroups.Apply(directory, controller, limits);
            }
        }
    }

    /// <summary>
    /// Gives the cgroup the lowest CPU weight, for a standby runtime booting ahead of need: it then only
    /// gets CPU time nothing else wants, and never slows the invocations (or the cold start whose
    /// replacement it is) running beside it. <see cref="Apply"/> gives the ordinary weight back.
    /// </summary>
    public void Yield()
    {
        if (_directories.FirstOrDefault(d => d.Controllers.Contains(Controller.Cpu)) is { } cpu)
        {
            TryWrite(System.IO.Path.Combine(cpu.Path, cpu.IsV2 ? "cpu.weight" : "cpu.shares"), cpu.IsV2 ? "1" : "2");
        }
    }

    /// <summary>
    /// Applies the CPU share (memory / 1,769 MB of a core). Called when init is done: like Lambda's
    /// init phase, a runtime's start-up is not slowed to the share of a small function.
    /// </summary>
    public void LimitCpu()
    {
        if (Limits is null || _directories.FirstOrDefault(d => d.Controllers.Contains(Controller.Cpu)) is not { } cpu)
        {
            return;
        }

        var quota = Limits.CpuQuotaMicroseconds.ToString(CultureInfo.InvariantCulture);
        var period = ResourceLimits.CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture);
        if (cpu.IsV2)
        {
            TryWrite(System.IO.Path.Combine(cpu.Path, "cpu.max"), $"{quota} {period}");
        }
        else
        {
            TryWrite(System.IO.Path.Combine(cpu.Path, "cpu.cfs_period_us"), period);
            TryWrite(System.IO.Path.Combine(cpu.Path, "cpu.cfs_quota_us"), quota);
        }
    }

    /// <summary>The <c>cgroup.procs</c> files a process writes its pid to, to join.</summary>
    public IEnumerable<string> ProcsFiles => _directories.Select(d => System.IO.Path.Combine(d.Path, "cgroup.procs"));

    /// <summary>The file holding the peak memory in bytes, if memory is accounted.</summary>
    public string? PeakMemoryFile => _directories.FirstOrDefault(d => d.Controllers.Contains(Controller.Memory)) is { } memory
        ? System.IO.Path.Combine(memory.Path, memory.IsV2 ? "memory.peak" : "memory.max_usage_in_bytes")
        : null;

    /// <summary>
    /// The file of the group's CPU time: <c>cpu.stat</c> on v2; on v1 <c>cpuacct.usage</c>, present
    /// only where cpuacct is mounted together with cpu. Null when there is none.
    /// </summary>
    public (string Path, bool IsV2)? CpuUsageFile
    {
        get
        {
            if (_directories.FirstOrDefault(d => d.IsV2) is { } v2)
            {
                return (System.IO.Path.Combine(v2.Path, "cpu.stat"), true);
            }

            return _directories.FirstOrDefault(d => d.Controllers.Contains(Controller.Cpu)) is { } cpu
                && File.Exists(System.IO.Path.Combine(cpu.Path, "cpuacct.usage"))
                ? (System.IO.Path.Combine(cpu.Path, "cpuacct.usage"), false)
                : null;
        }
    }

    /// <summary>SIGKILLs every process in the cgroup.</summary>
    public void Kill()
    {
        foreach (var directory in _directories)
        {
            if (directory.IsV2 && TryWrite(System.IO.Path.Combine(directory.Path, "cgroup.kill"), "1"))
            {
                continue;
            }

            foreach (var pid in Processes(directory))
            {
                Execution.ProcessGroup.KillProcess(pid);
            }
        }
    }

    /// <summary>Kills what is left and removes the directories once the kernel has let the processes go.</summary>
    public async ValueTask DisposeAsync()
    {
        Kill();
        foreach (var directory in _directories)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    System.IO.Directory.Delete(directory.Path);
                    break;
                }
                catch (DirectoryNotFoundException)
                {
                    break;
                }
                catch (IOException) when (attempt < 100)
                {
                    // Busy until the killed processes are reaped.
                    Kill();
                    await Task.Delay(20);
                }
                catch (IOException)
                {
                    break;
                }
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static List<int> Processes(Directory directory)
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadAllLines(System.IO.Path.Combine(directory.Path, "cgroup.procs")))
            {
                if (Utf8Parser.TryParse(System.Text.Encoding.ASCII.GetBytes(line), out int pid, out _) && pid > 1)
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return pids;
    }

    /// <summary>Writes a cgroup file; false when the kernel refuses it.</summary>
    internal static bool TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
