using Stratus.Api;
using Stratus.Events;

namespace Stratus.Tests.Events;

/// <summary>EventBridge's expression syntax, and the ticks each expression yields.</summary>
public sealed class ScheduleExpressionTests
{
    private static readonly DateTimeOffset Anchor = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("cron(0 10 * * ? *)", "2026-11-28T01:00:00Z", "2026-11-28T10:00:00Z")]
    [InlineData("cron(15 12 * * ? *)", "2026-11-28T12:15:00Z", "2026-11-29T12:15:00Z")]
    [InlineData("cron(0/15 * * * ? *)", "2026-11-28T01:07:00Z", "2026-11-28T01:15:00Z")]
    [InlineData("cron(1/10 * * * ? *)", "2026-11-28T01:02:00Z", "2026-11-28T01:11:00Z")]
    [InlineData("cron(0 8 ? * 2 *)", "2026-11-28T00:00:00Z", "2026-11-30T08:00:00Z")] // 2 = Monday
    [InlineData("cron(0 8 ? * 1 *)", "2026-11-28T00:00:00Z", "2026-11-29T08:00:00Z")] // 1 = Sunday
    [InlineData("cron(0 8 ? * 7 *)", "2026-11-26T00:00:00Z", "2026-11-28T08:00:00Z")] // 7 = Saturday
    [InlineData("cron(0 18 ? * MON-FRI *)", "2026-11-28T00:00:00Z", "2026-11-30T18:00:00Z")]
    [InlineData("cron(0 18 ? * 2-6 *)", "2026-11-28T00:00:00Z", "2026-11-30T18:00:00Z")]
    [InlineData("cron(0 0 1 JAN,JUL ? *)", "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z")]
    [InlineData("cron(0 0 L * ? *)", "2026-02-10T00:00:00Z", "2026-02-28T00:00:00Z")] // last day of the month
    [InlineData("cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z", "2026-05-29T00:00:00Z")] // May 31 2026 is a Sunday
    [InlineData("cron(0 0 ? * L *)", "2026-11-24T00:00:00Z", "2026-11-28T00:00:00Z")] // L alone: Saturday
    [InlineData("cron(0 0 ? * 6L *)", "2026-11-01T00:00:00Z", "2026-11-27T00:00:00Z")] // last Friday
    [InlineData("cron(0 0 ? * FRIL *)", "2026-11-01T00:00:00Z", "2026-11-27T00:00:00Z")]
    [InlineData("cron(0 0 1W * ? *)", "2026-07-15T00:00:00Z", "2026-08-03T00:00:00Z")] // Aug 1 2026 is a Saturday
    [InlineData("cron(0 0 15W * ? *)", "2026-11-01T00:00:00Z", "2026-11-16T00:00:00Z")] // Nov 15 2026 is a Sunday
    [InlineData("cron(0 0 ? * 3#2 *)", "2026-11-28T00:00:00Z", "2026-12-08T00:00:00Z")] // second Tuesday
    [InlineData("cron(0 0 ? * TUE#2 *)", "2026-11-28T00:00:00Z", "2026-12-08T00:00:00Z")]
    [InlineData("cron(0 0 1 1 ? 2028)", "2026-11-28T00:00:00Z", "2028-01-01T00:00:00Z")]
    [InlineData("cron(0 12 * * ? 2027-2029)", "2026-11-28T00:00:00Z", "2027-01-01T12:00:00Z")]
    [InlineData("cron(0 12 1 * ? 2030/5)", "2031-02-01T00:00:00Z", "2035-01-01T12:00:00Z")]
    [InlineData("cron(0 12 1 * ? 2026,2030)", "2026-12-01T12:00:00Z", "2030-01-01T12:00:00Z")]
    public void NextAfter_CronInUtc_IsEventBridgesNextTick(string expression, string after, string expected)
    {
        var schedule = ScheduleExpression.Parse(expression, null);

        var next = schedule.NextAfter(Time(after), Anchor);

        Assert.Equal(Time(expected), next);
    }

    [Fact]
    public void NextAfter_YearFieldExhausted_HasNoTick()
    {
        var schedule = ScheduleExpression.Parse("cron(0 0 1 1 ? 2020-2025)", null);

        Assert.Null(schedule.NextAfter(Time("2026-11-28T00:00:00Z"), Anchor));
    }

    [Fact]
    public void NextAfter_YearFieldInATimeZone_CountsTheLocalYear()
    {
        var schedule = ScheduleExpression.Parse("cron(30 0 1 1 ? 2028)", "Asia/Tokyo");

        Assert.Equal(Time("2027-12-31T15:30:00Z"), schedule.NextAfter(Time("2026-11-28T00:00:00Z"), Anchor));
    }

    [Fact]
    public void NextAfter_DailyCronInNewYork_FollowsTheWallClockAcrossDst()
    {
        var schedule = ScheduleExpression.Parse("cron(0 9 * * ? *)", "America/New_York");

        // 09:00 EST is 14:00 UTC; after the spring change (Mar 8 2026), 09:00 EDT is 13:00 UTC.
        Assert.Equal(Time("2026-03-07T14:00:00Z"), schedule.NextAfter(Time("2026-03-07T00:00:00Z"), Anchor));
        Assert.Equal(Time("2026-03-08T13:00:00Z"), schedule.NextAfter(Time("2026-03-07T14:00:00Z"), Anchor));
    }

    [Fact]
    public void NextAfter_TimeSkippedBySpringForward_RunsOnceThatDay()
    {
        var schedule = ScheduleExpression.Parse("cron(30 2 * * ? *)", "America/New_York");

        var onTheDay = schedule.NextAfter(Time("2026-03-08T05:00:00Z"), Anchor)!.Value;
        var dayAfter = schedule.NextAfter(onTheDay, Anchor)!.Value;

        // 02:30 does not exist on Mar 8 2026: Cronos runs it when the clock jumps, at 03:00 EDT.
        Assert.Equal(Time("2026-03-08T07:00:00Z"), onTheDay);
        Assert.Equal(Time("2026-03-09T06:30:00Z"), dayAfter);
    }

    [Fact]
    public void NextAfter_TimeRepeatedByFallBack_RunsOnlyTheFirstTime()
    {
        var schedule = ScheduleExpression.Parse("cron(30 1 * * ? *)", "America/New_York");

        var first = schedule.NextAfter(Time("2026-11-01T04:00:00Z"), Anchor)!.Value;
        var next = schedule.NextAfter(first, Anchor)!.Value;

        Assert.Equal(Time("2026-11-01T05:30:00Z"), first); // 01:30 EDT
        Assert.Equal(Time("2026-11-02T06:30:00Z"), next); // not 01:30 EST the same night
    }

    [Theory]
    [InlineData("rate(1 minute)", 1)]
    [InlineData("rate(5 minutes)", 5)]
    [InlineData("rate(1 hour)", 60)]
    [InlineData("rate(12 hours)", 720)]
    [InlineData("rate(1 day)", 1440)]
    [InlineData("rate(2 days)", 2880)]
    public void NextAfter_Rate_CountsPeriodsFromTheAnchor(string expression, int minutes)
    {
        var schedule = ScheduleExpression.Parse(expression, null);
        var period = TimeSpan.FromMinutes(minutes);

        Assert.Equal(Anchor + period, schedule.NextAfter(Anchor, Anchor));
        Assert.Equal(Anchor + (3 * period), schedule.NextAfter(Anchor + (2 * period), Anchor));
        Assert.Equal(Anchor + (3 * period), schedule.NextAfter(Anchor + (2 * period) + TimeSpan.FromSeconds(1), Anchor));
        Assert.Equal(Anchor + (2 * period), schedule.LastAtOrBefore(Anchor + (3 * period) - TimeSpan.FromSeconds(1), Anchor));
    }

    [Fact]
    public void NextAfter_At_IsOneTickInTheZone()
    {
        var schedule = ScheduleExpression.Parse("at(2030-01-31T08:30:00)", "Europe/Paris");

        Assert.Equal(Time("2030-01-31T07:30:00Z"), schedule.NextAfter(Time("2026-11-28T00:00:00Z"), Anchor));
        Assert.Null(schedule.NextAfter(Time("2030-01-31T07:30:00Z"), Anchor));
        Assert.Equal(Time("2030-01-31T07:30:00Z"), schedule.LastAtOrBefore(Time("2031-01-01T00:00:00Z"), Anchor));
    }

    [Fact]
    public void NextAfter_AtInTheSpringForwardGap_RunsWhenTheClockJumps()
    {
        var skipped = ScheduleExpression.Parse("at(2026-03-08T02:30:00)", "America/New_York");
        var repeated = ScheduleExpression.Parse("at(2026-11-01T01:30:00)", "America/New_York");

        Assert.Equal(Time("2026-03-08T07:00:00Z"), skipped.NextAfter(Anchor, Anchor)); // 03:00 EDT
        Assert.Equal(Time("2026-11-01T05:30:00Z"), repeated.NextAfter(Anchor, Anchor)); // the first 01:30, EDT
    }

    [Fact]
    public void LastAtOrBefore_Cron_IsTheLatestTickBeforeNow()
    {
        var schedule = ScheduleExpression.Parse("cron(0 * * * ? 2026)", null);

        Assert.Equal(Time("2026-11-28T01:00:00Z"), schedule.LastAtOrBefore(Time("2026-11-28T01:59:00Z"), Anchor));
        Assert.Equal(Time("2026-12-31T23:00:00Z"), schedule.LastAtOrBefore(Time("2027-06-01T00:00:00Z"), Anchor));
        Assert.Null(schedule.LastAtOrBefore(Time("2026-11-28T01:59:00Z"), Time("2026-11-28T01:00:00Z")));
    }

    [Theory]
    [InlineData("cron(0 10 * * *)", "expected 6 fields")]
    [InlineData("cron(0 10 * * * *)", "exactly one of day-of-month and day-of-week must be ?")]
    [InlineData("cron(0 10 ? * ? *)", "exactly one of day-of-month and day-of-week must be ?")]
    [InlineData("cron(H 10 * * ? *)", "minutes field H may hold only")]
    [InlineData("cron(0 L * * ? *)", "hours field L may hold only")]
    [InlineData("cron(0 10 ? * 8 *)", "days are 1-7 (SUN-SAT)")]
    [InlineData("cron(0 10 ? * 0 *)", "days are 1-7 (SUN-SAT)")]
    [InlineData("cron(0 10 ? * 3#1,6#3 *)", "only one expression when it uses #")]
    [InlineData("cron(0 10 ? * */2 *)", "may hold only numbers, names and")]
    [InlineData("cron(0 10 * FOO ? *)", "unknown name FOO")]
    [InlineData("cron(0 10 * * ? 2200)", "years are 1970-2199")]
    [InlineData("cron(0 10 * * ? 2030-2028)", "backwards")]
    [InlineData("cron(61 10 * * ? *)", "Invalid cron expression cron(61 10 * * ? *)")]
    [InlineData("rate(1 minutes)", "with a value of 1 the unit must be minute")]
    [InlineData("rate(5 minute)", "the unit must be minutes, hours or days")]
    [InlineData("rate(0 minutes)", "positive whole value")]
    [InlineData("rate(5 seconds)", "the unit must be minutes")]
    [InlineData("at(2030-01-31 08:30)", "expected at(yyyy-mm-ddThh:mm:ss)")]
    [InlineData("every(5 minutes)", "expected cron(...), rate(...) or at(...)")]
    [InlineData("", "ScheduleExpression is required")]
    public void Parse_InvalidExpression_SaysWhatIsWrong(string expression, string message)
    {
        var error = Assert.Throws<LambdaException>(() => ScheduleExpression.Parse(expression, null));

        Assert.Equal("ValidationException", error.ErrorType);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownTimeZone_SaysWhatIsExpected()
    {
        var error = Assert.Throws<LambdaException>(() => ScheduleExpression.Parse("rate(1 hour)", "Mars/Olympus"));

        Assert.Contains("Invalid ScheduleExpressionTimezone Mars/Olympus: expected an IANA time zone", error.Message, StringComparison.Ordinal);
    }

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
