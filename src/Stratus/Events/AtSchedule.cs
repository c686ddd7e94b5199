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
    /// A wall-clock time in a zone as an instant, as Cronos treats cron ticks: a time the spring-forward
    /// gap skips runs when the clock jumps (02:30 runs at 03:00); an ambiguous autumn time runs the
    /// first time it occurs.
    /// </summary>
    internal static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            // Gaps start on a whole minute and last at most a few hours: walk to the first valid minute.
            var jumped = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0);
            while (zone.IsInvalidTime(jumped))
            {
                jumped = jumped.AddMinutes(1);
            }

            return new DateTimeOffset(jumped, zone.GetUtcOffset(jumped));
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor) => Tick > after ? Tick : null;

    public override DateTimeOffset? LastAtOrBefore(DateTimeOffset at, DateTimeOffset anchor) => Tick <= at ? Tick : null;
}
