using System.Collections.Concurrent;
using System.Globalization;

namespace Stratus.Observability;

/// <summary>
/// Per-function, per-minute counts for the console's charts: invocations, errors, cold starts and
/// duration over the last <see cref="Minutes"/> minutes, in memory. Each function keeps a fixed ring
/// of minutes, so memory is bounded by the number of functions (at most <see cref="MaxFunctions"/>).
/// Kept apart from the Prometheus metrics on purpose: these only feed the console.
/// </summary>
public sealed class InvocationSeries
{
    public const int Minutes = 60;
    public const int MaxFunctions = 10_000;

    private readonly ConcurrentDictionary<string, FunctionSeries> _functions = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public InvocationSeries(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Counts one finished invocation; duration and cold start come from its REPORT line.</summary>
    public void Record(string functionName, string log, bool error)
    {
        var series = _functions.TryGetValue(functionName, out var found) ? found
            : _functions.Count < MaxFunctions ? _functions.GetOrAdd(functionName, static _ => new FunctionSeries())
            : null;
        if (series is null)
        {
            return;
        }

        var (duration, cold) = ParseReport(log);
        series.Add(_time.GetUtcNow().ToUnixTimeSeconds() / 60, duration, error, cold);
    }

    /// <summary>The last <paramref name="minutes"/> minutes of a function, oldest first, with empty minutes as zeros.</summary>
    public IReadOnlyList<SeriesPoint> Points(string functionName, int minutes)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds() / 60;
        _functions.TryGetValue(functionName, out var series);
        var points = new SeriesPoint[minutes];
        for (var i = 0; i < minutes; i++)
        {
            var minute = now - minutes + 1 + i;
            points[i] = series?.At(minute) ?? SeriesPoint.Empty(minute);
        }

        return points;
    }

    public void Forget(string functionName) => _functions.TryRemove(functionName, out _);

    /// <summary>Duration in ms (-1 when absent) and whether an Init Duration shows a cold start, from the last REPORT line.</summary>
    internal static (double DurationMs, bool Cold) ParseReport(ReadOnlySpan<char> log)
    {
        var report = log.LastIndexOf("REPORT RequestId:", StringComparison.Ordinal);
        if (report < 0)
        {
            return (-1, false);
        }

        var line = log[report..];
        var end = line.IndexOf('\n');
        line = end < 0 ? line : line[..end];
        var cold = line.Contains("Init Duration:", StringComparison.Ordinal);
        var at = line.IndexOf("\tDuration: ", StringComparison.Ordinal);
        if (at < 0)
        {
            return (-1, cold);
        }

        var value = line[(at + "\tDuration: ".Length)..];
        var space = value.IndexOf(' ');
        return double.TryParse(space < 0 ? value : value[..space], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? (ms, cold) : (-1, cold);
    }

    private sealed class FunctionSeries
    {
        private readonly Lock _lock = new();
        private readonly Bucket[] _buckets = new Bucket[Minutes];

        public void Add(long minute, double durationMs, bool error, bool cold)
        {
            lock (_lock)
            {
                ref var bucket = ref _buckets[minute % Minutes];
                if (bucket.Minute != minute)
                {
                    bucket = new Bucket { Minute = minute };
                }

                bucket.Invocations++;
                bucket.Errors += error ? 1 : 0;
                bucket.ColdStarts += cold ? 1 : 0;
                if (durationMs >= 0)
                {
                    bucket.Timed++;
                    bucket.DurationSum += durationMs;
                    bucket.DurationMax = Math.Max(bucket.DurationMax, durationMs);
                }
            }
        }

        public SeriesPoint At(long minute)
        {
            lock (_lock)
            {
                var bucket = _buckets[minute % Minutes];
                return bucket.Minute != minute || bucket.Invocations == 0
                    ? SeriesPoint.Empty(minute)
                    : new SeriesPoint(SeriesPoint.Format(minute), bucket.Invocations, bucket.Errors, bucket.ColdStarts,
                        bucket.Timed == 0 ? 0 : Math.Round(bucket.DurationSum / bucket.Timed, 2), Math.Round(bucket.DurationMax, 2));
            }
        }
    }

    private struct Bucket
    {
        public long Minute;
        public long Invocations;
        public long Errors;
        public long ColdStarts;
        public long Timed;
        public double DurationSum;
        public double DurationMax;
    }
}
