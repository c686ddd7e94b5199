namespace Stratus.Events;

/// <summary>The Year field of an EventBridge cron expression (1970-2199 with <c>, - * /</c>), which Cronos lacks.</summary>
internal sealed class CronYears
{
    public const int First = 1970;
    public const int Last = 2199;

    private readonly bool[]? _allowed;

    private CronYears(bool[]? allowed) => _allowed = allowed;

    public static CronYears Parse(string body, string value)
    {
        if (value == "*")
        {
            return new CronYears(null);
        }

        var allowed = new bool[Last - First + 1];
        foreach (var item in value.Split(','))
        {
            var (range, step) = SplitStep(body, value, item);
            int from, to;
            if (range == "*")
            {
                (from, to) = (First, Last);
            }
            else if (range.Split('-') is [var low, var high])
            {
                (from, to) = (Year(body, value, low), Year(body, value, high));
            }
            else
            {
                from = Year(body, value, range);
                to = item.Contains('/', StringComparison.Ordinal) ? Last : from;
            }

            if (to < from)
            {
                throw CronSchedule.Invalid(body, $"year field {value} has the range {range} backwards");
            }

            for (var year = from; year <= to; year += step)
            {
                allowed[year - First] = true;
            }
        }

        return new CronYears(allowed);
    }

    public bool Allows(int year) => year is >= First and <= Last && (_allowed is null || _allowed[year - First]);

    public int? NextAllowed(int year)
    {
        for (var y = Math.Max(year + 1, First); y <= Last; y++)
        {
            if (Allows(y))
            {
                return y;
            }
        }

        return null;
    }

    public int? PreviousAllowed(int year)
    {
        for (var y = Math.Min(year - 1, Last); y >= First; y--)
        {
            if (Allows(y))
            {
                return y;
            }
        }

        return null;
    }

    private static (string Range, int Step) SplitStep(string body, string value, string item)
    {
        var slash = item.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (item, 1);
        }

        if (!int.TryParse(item.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var step) || step < 1)
        {
            throw CronSchedule.Invalid(body, $"year field {value} has a bad increment in {item}");
        }

        return (item[..slash], step);
    }

    private static int Year(string body, string value, string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year) && year is >= First and <= Last
            ? year
            : throw CronSchedule.Invalid(body, $"year field {value} has {text}: years are {First}-{Last}");
}
