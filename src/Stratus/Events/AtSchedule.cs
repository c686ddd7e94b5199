using System.Globalization;

namespace Stratus.Events;

/// <summary><c>at(yyyy-mm-ddThh:mm:ss)</c>: one tick, at that wall-clock time in the schedule's zone.</summary>
internal sealed class AtSchedule : ScheduleExpression
{
    private AtSchedule(DateTimeOffset tick, TimeZoneInfo zone)
        : base(zone) => Tick = tick;

    public DateTimeOffset Tick { get; }

    public static AtSchedule Parse(string body, TimeZoneInfo zone)
    {
        if (!DateTime.TryParseExact(body, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            throw ScheduleErrors.Validation($"Invalid at expression at({body}): expected at(yyyy-mm-ddThh:mm:ss), e.g. at(2030-01-31T08:30:00).");
        }

        return new AtSchedule(ToInstant(local, zone), zone);
    }

    /// <summary>
    /// A wall-clock time in a zone as an instant: a time the spring-forward gap skips runs as if the
    /// clock had not jumped (02:30 becomes 03:30 after a one-hour jump); an ambiguous autumn time runs
    /// the first time it occurs, as Cronos does for cron ticks.
    /// </summary>
    internal static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            var beforeJump = zone.GetUtcOffset(local.AddHours(-3));
            return new DateTimeOffset(local, beforeJump).ToOffset(zone.GetUtcOffset(local.AddHours(3)));
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor) => Tick > after ? Tick : null;

    public override DateTimeOffset? LastAtOrBefore(DateTimeOffset at, DateTimeOffset anchor) => Tick <= at ? Tick : null;
}
