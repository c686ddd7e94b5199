using System.Globalization;
using System.Runtime.InteropServices;

namespace Stratus.Execution;

/// <summary>
/// Gives every instance cores of its own to run on, spread evenly over the CPUs the server may use:
/// one core per 1769 MB of MemorySize, as Lambda sizes a vCPU (a larger function gets several, one
/// as large as the machine runs anywhere).
/// </summary>
/// <remarks>
/// Left to itself the scheduler often runs two busy instances on one core while the other serves
/// the rest, and keeps them there: on two cores the same server served anywhere from 25,000 to
/// 30,000 warm Invokes a second from one start to the next, and 32,000–33,000 every time with its
/// two instances on different cores. This is placement, not a limit (the cgroup's CPU quota is the
/// limit): an instance that sets its own affinity only changes where it runs. When an instance
/// goes, the others are moved until no core holds two more instances than another. The server
/// threads serving an instance's Runtime API go to its cores as well: the runtime and that thread
/// hand every invocation back and forth, and within one core a hand-off wakes no other CPU (with the
/// thread on another core than its instance, throughput fell by a third).
/// </remarks>
internal sealed partial class CpuPlacement
{
    /// <summary>The MemorySize that Lambda gives one full vCPU.</summary>
    public const int MegabytesPerCore = 1769;

    private readonly int[] _cpus;
    private readonly int[] _placed;
    private readonly List<Lease> _leases = [];
    private readonly Lock _lock = new();
    private int _next;

    public CpuPlacement(IReadOnlyList<int> cpus)
    {
        if (cpus.Count == 0)
        {
            throw new ArgumentException("No CPU to place instances on.", nameof(cpus));
        }

        _cpus = [.. cpus];
        _placed = new int[_cpus.Length];
    }

    /// <summary>The CPUs instances are spread over.</summary>
    public IReadOnlyList<int> Cpus => _cpus;

    /// <summary>Instances placed on each CPU, in the order of <see cref="Cpus"/>.</summary>
    public int[] Counts()
    {
        lock (_lock)
        {
            return [.. _placed];
        }
    }

    /// <summary>Placement over the CPUs this process may run on; null with only one, where there is nothing to spread.</summary>
    public static CpuPlacement? ForThisProcess() => AllowedCpus() is { Count: > 1 } cpus ? new CpuPlacement(cpus) : null;

    /// <summary>The CPUs this process may run on (its affinity, as /proc/self/status lists it).</summary>
    public static IReadOnlyList<int> AllowedCpus()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
            {
                return ParseList(line["Cpus_allowed_list:".Length..]);
            }
        }

        return [.. Enumerable.Range(0, Environment.ProcessorCount)];
    }

    /// <summary>Parses the kernel's CPU list format: "0-3,8,10-11".</summary>
    public static IReadOnlyList<int> ParseList(string text)
    {
        var cpus = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-');
            var first = int.Parse(dash < 0 ? part : part[..dash], CultureInfo.InvariantCulture);
            var last = dash < 0 ? first : int.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture);
            for (var cpu = first; cpu <= last && cpu < MaxCpus; cpu++)
            {
                cpus.Add(cpu);
            }
        }

        return [.. cpus];
    }

    /// <summary>
    /// Chooses the least used cores for an instance of <paramref name="memoryMb"/> and pins it there
    /// with <paramref name="pin"/>, which is called again if the instance is moved later. Null when
    /// the instance needs every core: it runs anywhere.
    /// </summary>
    public Lease? Place(int memoryMb, Action<IReadOnlyList<int>> pin)
    {
        var cores = Math.Clamp((memoryMb + MegabytesPerCore - 1) / MegabytesPerCore, 1, _cpus.Length);
        if (cores == _cpus.Length)
        {
            return null;
        }

        lock (_lock)
        {
            // Least used first; among equals, the one after the core chosen last, so ties rotate.
            var order = Enumerable.Range(0, _cpus.Length)
                .Select(i => (_next + i) % _cpus.Length)
                .OrderBy(i => _placed[i])
                .Take(cores)
                .ToArray();
            foreach (var index in order)
            {
                _placed[index]++;
            }

            _next = (order[^1] + 1) % _cpus.Length;
            var lease = new Lease(this, order, pin);
            _leases.Add(lease);
            pin(lease.Cpus);
            return lease;
        }
    }

    private void Release(Lease lease)
    {
        lock (_lock)
        {
            if (!_leases.Remove(lease))
            {
                return;
            }

            foreach (var index in lease.Indices)
            {
                _placed[index]--;
            }

            Rebalance();
        }
    }

    /// <summary>Moves one-core instances from the fullest core to the emptiest while they differ by two or more.</summary>
    private void Rebalance()
    {
        while (true)
        {
            var fullest = 0;
            var emptiest = 0;
            for (var i = 1; i < _placed.Length; i++)
            {
                fullest = _placed[i] > _placed[fullest] ? i : fullest;
                emptiest = _placed[i] < _placed[emptiest] ? i : emptiest;
            }

            if (_placed[fullest] - _placed[emptiest] < 2)
            {
                return;
            }

            var moving = _leases.FindLast(l => l.Indices.Length == 1 && l.Indices[0] == fullest);
            if (moving is null)
            {
                return;
            }

            _placed[fullest]--;
            _placed[emptiest]++;
            moving.MoveTo(emptiest);
        }
    }

    /// <summary>The cores one instance runs on, until it is released.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly CpuPlacement _owner;
        private readonly Action<IReadOnlyList<int>> _pin;

        internal Lease(CpuPlacement owner, int[] indices, Action<IReadOnlyList<int>> pin)
        {
            _owner = owner;
            _pin = pin;
            Indices = indices;
        }

        /// <summary>Positions in the owner's CPUs; replaced whole when the instance moves.</summary>
        internal int[] Indices { get; private set; }

        /// <summary>The CPUs the instance is pinned to now.</summary>
        public IReadOnlyList<int> Cpus => [.. Indices.Select(i => _owner._cpus[i]).Order()];

        internal void MoveTo(int index)
        {
            Indices = [index];
            _pin(Cpus);
        }

        public void Dispose() => _owner.Release(this);
    }

    /// <summary>The affinity masks passed to the kernel hold this many CPUs (glibc's cpu_set_t).</summary>
    private const int MaxCpus = 1024;

    private const nuint MaskBytes = MaxCpus / 8;

    /// <summary>
    /// Pins every thread of a process and of its descendants to <paramref name="cpus"/>. Threads and
    /// processes started later inherit it. Best effort: a process that is gone is skipped.
    /// </summary>
    public static void Pin(int processId, IReadOnlyList<int> cpus)
    {
        var mask = MaskOf(cpus);

        var pending = new Stack<int>();
        var seen = new HashSet<int>();
        pending.Push(processId);
        while (pending.Count > 0 && seen.Count < 4096)
        {
            var pid = pending.Pop();
            if (!seen.Add(pid))
            {
                continue;
            }

            string[] tasks;
            try
            {
                tasks = Directory.GetDirectories($"/proc/{pid}/task");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var task in tasks)
            {
                if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
                {
                    continue;
                }

                _ = SetAffinity(tid, MaskBytes, mask);
                try
                {
                    foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var childPid))
                        {
                            pending.Push(childPid);
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
    }

    /// <summary>Pins the calling thread to <paramref name="cpus"/>.</summary>
    public static void PinCurrentThread(IReadOnlyList<int> cpus)
    {
        var mask = MaskOf(cpus);
        _ = SetAffinity(0, MaskBytes, mask);
    }

    private static ulong[] MaskOf(IReadOnlyList<int> cpus)
    {
        var mask = new ulong[MaxCpus / 64];
        foreach (var cpu in cpus)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }

        return mask;
    }

    /// <summary>The CPUs a thread may run on, or null when it is gone.</summary>
    public static IReadOnlyList<int>? AffinityOf(int threadId)
    {
        var mask = new ulong[MaxCpus / 64];
        if (GetAffinity(threadId, MaskBytes, mask) != 0)
        {
            return null;
        }

        return [.. Enumerable.Range(0, MaxCpus).Where(cpu => (mask[cpu / 64] & (1UL << (cpu % 64))) != 0)];
    }

    /// <summary>The kernel's id of the calling thread.</summary>
    public static int CurrentThreadId() => GetThreadId();

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SetAffinity(int pid, nuint size, ulong[] mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int GetAffinity(int pid, nuint size, ulong[] mask);
}
