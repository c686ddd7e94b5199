using Cronos;

namespace Stratus.Events;

/// <summary>
/// <c>cron(minutes hours day-of-month month day-of-week year)</c> as EventBridge reads it. Cronos
/// computes the first five fields in the schedule's zone (DST included); what Cronos lacks is done
/// here: day-of-week numbers 1-7 for SUN-SAT (Cronos counts 0-6), the Year field, and EventBridge's
/// stricter rules (one of the two day fields is <c>?</c>, only the wildcards each field allows).
/// </summary>
internal sealed class CronSchedule : ScheduleExpression
{
    private readonly CronExpression _cron;
    private readonly CronYears _years;

    private CronSchedule(CronExpression cron, CronYears years, TimeZoneInfo zone)
        : base(zone)
    {
        _cron = cron;
        _years = years;
    }

    public static CronSchedule Parse(string body, TimeZoneInfo zone)
    {
        var fields = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            throw Invalid(body, $"expected 6 fields (minutes hours day-of-month month day-of-week year), got {fields.Length}");
        }

        var (minutes, hours, dayOfMonth, month, dayOfWeek, year) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
        if ((dayOfMonth == "?") == (dayOfWeek == "?"))
        {
            throw Invalid(body, "exactly one of day-of-month and day-of-week must be ?");
        }

        CronFields.Check(body, "minutes", minutes, "*,-/");
        CronFields.Check(body, "hours", hours, "*,-/");
        CronFields.Check(body, "day-of-month", dayOfMonth, "*,-/?LW");
        CronFields.CheckNames(body, "month", month, "*,-/", CronFields.Months);
        var cronDayOfWeek = CronFields.DayOfWeek(body, dayOfWeek);
        var years = CronYears.Parse(body, year);
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse($"{minutes} {hours} {dayOfMonth} {month} {cronDayOfWeek}", CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            throw Invalid(body, ex.Message.TrimEnd('.'));
        }

        return new CronSchedule(cron, years, zone);
    }

    internal static Api.LambdaException Invalid(string body, string problem) =>
        ScheduleErrors.Validation($"Invalid cron expression cron({body}): {problem}.");

    public override DateTimeOffset? NextAfter(DateTimeOffset after, DateTimeOffset anchor)
    {
        var from = after;
        while (_cron.GetNextOccurrence(from, Zone, inclusive: false) is { } next && next < End)
        {
            var year = next.Year;
            if (_years.Allows(year))
            {
                return next;
            }

            if (_years.NextAllowed(year) is not { } target)
            {
                return null;
            }

            // Jump to just before the allowed year's first local midnight; never backwards.
            var jump = AtSchedule.ToInstant(new DateTime(target, 1, 1), Zone).AddTicks(-1);
            from = jump > next ? jump : next;
        }

        return null;
    }

    public override DateTimeOffset? LastAtOrBefore(DateTimeOffset at, DateTimeOffset anchor)
    {
        var from = at;
        var inclusive = true;
        while (_cron.GetPreviousOccurrence(from, Zone, inclusive) is { } previous && previous > anchor)
        {
            inclusive = false;
            if (_years.Allows(previous.Year))
            {
                return previous;
            }

            if (_years.PreviousAllowed(previous.Year) is not { } target)
            {
                return null;
            }

            var jump = AtSchedule.ToInstant(new DateTime(target + 1, 1, 1), Zone);
            from = jump < previous ? jump : previous;
        }

        return null;
    }
}
