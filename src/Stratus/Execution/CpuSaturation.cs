namespace Stratus.Execution;

/// <summary>
/// Whether every core of this machine is busy: the share of CPU time that was not idle between two
/// samples of <c>/proc/stat</c>, taken at most every <see cref="Interval"/> when asked. Steal time
/// counts as busy (the hypervisor gave the core to someone else). Where <c>/proc/stat</c> cannot be
/// read the answer is no, and instances are started as if the cores had room.
/// </summary>
internal sealed class CpuSaturation
{
    /// <summary>The busy share from which the cores count as saturated.</summary>
    public const double Threshold = 0.9;

    private readonly Func<string?> _read;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _sampledAt;
    private (long Busy, long Total) _last;
    private bool _saturated;

    public CpuSaturation(TimeProvider time, Func<string?>? read = null)
    {
        _time = time;
        _read = read ?? ReadProcStat;
    }

    public static TimeSpan Interval { get; } = TimeSpan.FromMilliseconds(100);

    public bool Saturated
    {
        get
        {
            lock (_lock)
            {
                if (_sampledAt == 0 || _time.GetElapsedTime(_sampledAt) >= Interval)
                {
                    Sample();
                }

                return _saturated;
            }
        }
    }

    private void Sample()
    {
        _sampledAt = _time.GetTimestamp();
        if (_read() is not { } text || !TryParse(text, out var busy, out var total))
        {
            _saturated = false;
            return;
        }

        var elapsed = total - _last.Total;
        _saturated = _last.Total > 0 && elapsed > 0 && (busy - _last.Busy) >= Threshold * elapsed;
        _last = (busy, total);
    }

    /// <summary>The busy and total ticks of the first (<c>cpu</c>, all cores) line of <c>/proc/stat</c>.</summary>
    internal static bool TryParse(string text, out long busy, out long total)
    {
        busy = total = 0;
        var line = text.AsSpan();
        var end = line.IndexOf('\n');
        line = end >= 0 ? line[..end] : line;
        if (!line.StartsWith("cpu "))
        {
            return false;
        }

        // user nice system idle iowait irq softirq steal [guest guest_nice, already in user and nice]
        long idle = 0;
        var field = 0;
        var fields = line[4..];
        foreach (var range in fields.Split(' '))
        {
            var token = fields[range];
            if (token.IsEmpty)
            {
                continue;
            }

            if (!long.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            field++;
            if (field <= 8)
            {
                total += value;
            }

            if (field is 4 or 5)
            {
                idle += value;
            }
        }

        busy = total - idle;
        return field >= 4;
    }

    private static string? ReadProcStat()
    {
        try
        {
            return File.ReadAllText("/proc/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
