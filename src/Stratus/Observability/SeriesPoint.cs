using System.Globalization;

namespace Stratus.Observability;

/// <summary>One minute of a function's invocations (<see cref="Minute"/> is its start, ISO 8601 UTC).</summary>
public sealed record SeriesPoint(string Minute, long Invocations, long Errors, long ColdStarts, double AverageDurationMs, double MaxDurationMs)
{
    internal static SeriesPoint Empty(long minute) => new(Format(minute), 0, 0, 0, 0, 0);

    internal static string Format(long minute) =>
        DateTimeOffset.FromUnixTimeSeconds(minute * 60).ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
}
