namespace Stratus.Events;

/// <summary><c>rate(value unit)</c>: every value minutes, hours or days, counted from the anchor.</summary>
internal sealed class RateSchedule : ScheduleExpression
{
    private RateSchedule(TimeSpan period, TimeZoneInfo zone)
        : base(zone) => Period = period;

    public TimeSpan Period { get; }

    public static RateSchedule Parse(string body, TimeZoneInfo zone)
    {
        var parts = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            throw ScheduleErrors.Validation($"Invalid rate expression rate({body}): expected rate(value unit) with a positive whole value, e.g. rate(5 minutes).");
        }

        // EventBridge's rule: the unit is singular for 1 and plural for more ("rate(1 hours)" is invalid).
        var unit = parts[1];
        var singular = value == 1;
        TimeSpan step = unit switch
        {
            "minute" when singular => TimeSpan.FromMinutes(1),
            "hour" when singular => TimeSpan.FromHours(1),
            "day" when singular => TimeSpan.FromDays(1),
            "minutes" when !singular => TimeSpan.FromMinutes(1),
            "hours" when !singular => TimeSpan.FromHours(1),
            "days" when !singular => TimeSpan.FromDays(1),
            _ => throw ScheduleErrors.Validation(singular
                ? $"Invalid rate expression rate({body}): with a value of 1 the unit must be minute, hour or day."
                : $"Invalid rate expression rate({body}): the unit must be minutes, hours or days."),
        };
        var period = step * value;
        if (period > TimeSpan.FromDays(36500))
        {
            throw ScheduleErrors.Validation($"Invalid rate expression rate({body}): the period must be at most 36500 days.");
        }

        return new RateSchedule(period, zone);
    }

    public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor)
    {
        var periods = after < anchor ? 0 : ((after - anchor).Ticks / Period.Ticks) + 1;
        var next = anchor + (Period * periods);
        return next < End ? next : null;
    }

    public override DateTimeOffset? LastAtOrBefore(DateTimeOffset at, DateTimeOffset anchor)
    {
        var periods = (at - anchor).Ticks / Period.Ticks;
        return periods >= 1 ? anchor + (Period * periods) : null;
    }
}
