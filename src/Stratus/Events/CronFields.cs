using System.Text;

namespace Stratus.Events;

/// <summary>Checks EventBridge's per-field wildcards and translates the day-of-week field for Cronos.</summary>
internal static class CronFields
{
    public static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    public static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>A field of digits and the given wildcards only (Cronos would also take H and more).</summary>
    public static void Check(string body, string field, string value, string wildcards)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c) && !wildcards.Contains(c, StringComparison.Ordinal))
            {
                throw CronSchedule.Invalid(body, $"{field} field {value} may hold only numbers and {string.Join(' ', wildcards.ToCharArray())}");
            }
        }
    }

    /// <summary>A field that may also hold three-letter names (months, days).</summary>
    public static void CheckNames(string body, string field, string value, string wildcards, string[] names)
    {
        var letters = new StringBuilder();
        foreach (var c in value + ",")
        {
            if (char.IsAsciiLetter(c))
            {
                letters.Append(char.ToUpperInvariant(c));
                continue;
            }

            var word = letters.ToString();
            if (word.Length > 0 && !names.Contains(word) && !(names == Days && (word == "L" || IsNamedLast(word))))
            {
                throw CronSchedule.Invalid(body, $"{field} field {value} has an unknown name {letters}: use {names[0]}-{names[^1]} or numbers");
            }

            letters.Clear();
            if (!char.IsAsciiDigit(c) && c != ',' && !wildcards.Contains(c, StringComparison.Ordinal))
            {
                throw CronSchedule.Invalid(body, $"{field} field {value} may hold only numbers, names and {string.Join(' ', wildcards.ToCharArray())}");
            }
        }

        static bool IsNamedLast(string word) => word.Length == 4 && word[3] == 'L' && Days.Contains(word[..3]);
    }

    /// <summary>
    /// EventBridge's day-of-week (1-7 = SUN-SAT, <c>L</c> alone = Saturday, the last day of the week)
    /// in Cronos's numbering (0-6 = SUN-SAT). <c>#</c> stands alone, as EventBridge requires.
    /// </summary>
    public static string DayOfWeek(string body, string value)
    {
        if (value == "?")
        {
            return "*";
        }

        CheckNames(body, "day-of-week", value, "*,-L#", Days);
        if (value.Contains('#', StringComparison.Ordinal) && value.Contains(',', StringComparison.Ordinal))
        {
            throw CronSchedule.Invalid(body, $"day-of-week field {value} may hold only one expression when it uses #");
        }

        if (value.Equals("L", StringComparison.OrdinalIgnoreCase))
        {
            return "6";
        }

        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            // The number after # is the week of the month, not a day: copy it unchanged.
            if (char.IsAsciiDigit(c) && (i == 0 || value[i - 1] != '#'))
            {
                var start = i;
                while (i + 1 < value.Length && char.IsAsciiDigit(value[i + 1]))
                {
                    i++;
                }

                var day = int.Parse(value.AsSpan(start, i - start + 1), System.Globalization.CultureInfo.InvariantCulture);
                if (day is < 1 or > 7)
                {
                    throw CronSchedule.Invalid(body, $"day-of-week field {value} has {day}: days are 1-7 (SUN-SAT)");
                }

                result.Append(day - 1);
                continue;
            }

            result.Append(c);
        }

        return result.ToString();
    }
}
