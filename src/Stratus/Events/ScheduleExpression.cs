namespace Stratus.Events;

/// <summary>
/// When a schedule fires: an EventBridge <c>cron(...)</c>, <c>rate(...)</c> or <c>at(...)</c>
/// expression in an IANA time zone. Ticks are instants; a rate counts from its anchor (when the
/// schedule was created or its expression last changed).
/// </summary>
internal abstract class ScheduleExpression
{
    /// <summary>EventBridge accepts no tick after the end of its Year field's range.</summary>
    public static readonly DateTimeOffset End = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const int MaxLength = 256;

    protected ScheduleExpression(TimeZoneInfo zone) => Zone = zone;

    public TimeZoneInfo Zone { get; }

    /// <summary>The first tick strictly after <paramref name="after"/>; null when there is none.</summary>
    public abstract DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor);

    /// <summary>The last tick at or before <paramref name="at"/> and after <paramref name="anchor"/>; null when there is none.</summary>
    public abstract DateTimeOffset? LastAtOrBefore(DateTimeOffset at, DateTimeOffset anchor);

    /// <summary>Parses an expression and its time zone (null or empty: UTC); throws ValidationException saying what is wrong.</summary>
    public static ScheduleExpression Parse(string? expression, string? timeZone)
    {
        var zone = ParseZone(timeZone);
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw ScheduleErrors.Validation("ScheduleExpression is required: cron(...), rate(...) or at(...).");
        }

        if (expression.Length > MaxLength)
        {
            throw ScheduleErrors.Validation($"ScheduleExpression must be at most {MaxLength} characters.");
        }

        var text = expression.Trim();
        if (!text.EndsWith(')'))
        {
            throw ScheduleErrors.Validation($"Invalid ScheduleExpression {expression}: expected cron(...), rate(...) or at(...).");
        }

        if (text.StartsWith("cron(", StringComparison.Ordinal))
        {
            return CronSchedule.Parse(text[5..^1], zone);
        }

        if (text.StartsWith("rate(", StringComparison.Ordinal))
        {
            return RateSchedule.Parse(text[5..^1], zone);
        }

        if (text.StartsWith("at(", StringComparison.Ordinal))
        {
            return AtSchedule.Parse(text[3..^1], zone);
        }

        throw ScheduleErrors.Validation($"Invalid ScheduleExpression {expression}: expected cron(...), rate(...) or at(...).");
    }

    private static TimeZoneInfo ParseZone(string? timeZone)
    {
        if (string.IsNullOrEmpty(timeZone) || timeZone == "UTC")
        {
            return TimeZoneInfo.Utc;
        }

        if (timeZone.Length > 50 || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            throw ScheduleErrors.Validation($"Invalid ScheduleExpressionTimezone {timeZone}: expected an IANA time zone such as Europe/Paris.");
        }

        return zone;
    }
}
