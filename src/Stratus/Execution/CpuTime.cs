using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace Stratus.Execution;

/// <summary>
/// Reads the CPU time an instance's cgroup has used so far, in microseconds: <c>usage_usec</c> of
/// <c>cpu.stat</c> on cgroup v2, <c>cpuacct.usage</c> (nanoseconds) on v1 where the cpuacct
/// controller shares the cpu hierarchy. Without either, the processes themselves are read (user and
/// system time, and that of children they waited for, in the kernel's 10 ms ticks): those listed in
/// the instance's cgroup (<see cref="ForCgroupProcesses"/>, where cpuacct is mounted apart), or the
/// instance's own process where there is no cgroup at all (<see cref="ForProcess"/>). The file is opened once and
/// re-read from offset 0, as the kernel regenerates it.
/// Generating it costs the kernel microseconds, as much as a warm invocation's whole budget for
/// metering, so <see cref="TakeMicros"/> reads it at most every <see cref="RefreshInterval"/> and hands
/// out what was used since the last read: under load one invocation in many carries its instance's
/// CPU time since the previous read. Sums (per function, per day) stay exact; a single record's CPU
/// time is exact only when invocations are further apart than the interval.
/// </summary>
internal sealed class CpuTime : IDisposable
{
    private readonly SafeFileHandle? _file;
    private readonly Source _source;
    private readonly byte[] _buffer = new byte[1024];
    private readonly TimeProvider _time;
    private long _readAt;
    private long _used;

    public CpuTime(string? path, bool isV2, TimeProvider time)
        : this(path, isV2 ? Source.CgroupV2 : Source.CgroupV1, time)
    {
    }

    private CpuTime(string? path, Source source, TimeProvider time)
    {
        _source = source;
        _time = time;
        if (path is null)
        {
            return;
        }

        try
        {
            _file = File.OpenHandle(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _file = null;
        }
    }

    public bool Available => _file is not null;

    /// <summary>The CPU time of process <paramref name="pid"/> and its waited-for children, from <c>/proc/PID/stat</c>.</summary>
    public static CpuTime ForProcess(int pid, TimeProvider time) => new($"/proc/{pid}/stat", Source.ProcessStat, time);

    /// <summary>The CPU time of the processes a cgroup's <c>cgroup.procs</c> (<paramref name="procsFile"/>) lists, summed.</summary>
    public static CpuTime ForCgroupProcesses(string procsFile, TimeProvider time) => new(procsFile, Source.CgroupProcesses, time);

    public static TimeSpan RefreshInterval { get; } = TimeSpan.FromMilliseconds(20);

    /// <summary>CPU time used since the last read, or 0 when the last read is too recent.</summary>
    public long TakeMicros()
    {
        if (_file is null || (_readAt != 0 && _time.GetElapsedTime(_readAt) < RefreshInterval))
        {
            return 0;
        }

        _readAt = _time.GetTimestamp();
        var used = ReadMicros();
        var delta = used - _used;
        _used = Math.Max(used, _used);
        return Math.Max(0, delta);
    }

    private long ReadMicros()
    {
        if (_file is null)
        {
            return 0;
        }

        try
        {
            var text = _buffer.AsSpan(0, RandomAccess.Read(_file, _buffer, 0));
            return _source switch
            {
                Source.CgroupProcesses => SumProcesses(text),
                Source.ProcessStat => ParseProcessStat(text),
                _ => Parse(text, _source == Source.CgroupV2),
            };
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return 0;
        }
    }

    internal static long Parse(ReadOnlySpan<byte> text, bool isV2)
    {
        if (!isV2)
        {
            return Utf8Parser.TryParse(text, out long nanoseconds, out _) ? nanoseconds / 1000 : 0;
        }

        var at = text.IndexOf("usage_usec "u8);
        return at >= 0 && Utf8Parser.TryParse(text[(at + 11)..], out long micros, out _) ? micros : 0;
    }

    /// <summary>The CPU time of every process a <c>cgroup.procs</c> text lists; one that exits meanwhile counts as 0.</summary>
    private static long SumProcesses(ReadOnlySpan<byte> pids)
    {
        long sum = 0;
        Span<byte> stat = stackalloc byte[1024];
        foreach (var range in pids.Split((byte)'\n'))
        {
            if (!Utf8Parser.TryParse(pids[range], out int pid, out _) || pid <= 0)
            {
                continue;
            }

            try
            {
                using var file = File.OpenHandle($"/proc/{pid}/stat");
                var length = RandomAccess.Read(file, stat, 0);
                sum += ParseProcessStat(stat[..length]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone since the list was read.
            }
        }

        return sum;
    }

    /// <summary>
    /// utime + stime + cutime + cstime of a <c>/proc/PID/stat</c> line, in microseconds. The fields are
    /// counted after the command's closing parenthesis (a command may hold spaces and parentheses); the
    /// kernel reports them in USER_HZ ticks, 100 a second on Linux.
    /// </summary>
    internal static long ParseProcessStat(ReadOnlySpan<byte> text)
    {
        const long MicrosPerTick = 10_000;
        var close = text.LastIndexOf((byte)')');
        if (close < 0)
        {
            return 0;
        }

        // Fields 3 (state) onwards; utime, stime, cutime and cstime are fields 14 to 17.
        var rest = text[(close + 1)..];
        long ticks = 0;
        var field = 2;
        foreach (var range in rest.Split((byte)' '))
        {
            var token = rest[range];
            if (token.IsEmpty)
            {
                continue;
            }

            field++;
            if (field is >= 14 and <= 17)
            {
                if (!Utf8Parser.TryParse(token, out long value, out _))
                {
                    return 0;
                }

                ticks += value;
            }
            else if (field > 17)
            {
                break;
            }
        }

        return field >= 17 ? ticks * MicrosPerTick : 0;
    }

    public void Dispose() => _file?.Dispose();

    /// <summary>What the file read is.</summary>
    private enum Source
    {
        /// <summary><c>cpuacct.usage</c>: nanoseconds.</summary>
        CgroupV1,

        /// <summary><c>cpu.stat</c>: <c>usage_usec</c>.</summary>
        CgroupV2,

        /// <summary>A process's <c>/proc/PID/stat</c>.</summary>
        ProcessStat,

        /// <summary>A cgroup's <c>cgroup.procs</c>: the processes to read.</summary>
        CgroupProcesses,
    }
}
