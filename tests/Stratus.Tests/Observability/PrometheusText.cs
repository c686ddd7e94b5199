using System.Globalization;
using System.Text;

namespace Stratus.Tests.Observability;

/// <summary>
/// A strict parser of Prometheus's text exposition format (0.0.4): it throws on anything a Prometheus
/// server would reject, and checks what a histogram promises (cumulative buckets ending in
/// <c>le="+Inf"</c> equal to <c>_count</c>, a <c>_sum</c>), so a test reads the metrics as a scraper does.
/// </summary>
public sealed class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly List<PrometheusSample> _samples = [];

    private PrometheusText()
    {
    }

    public IReadOnlyList<PrometheusSample> Samples => _samples;

    public string? TypeOf(string family) => _types.GetValueOrDefault(family);

    public static PrometheusText Parse(string text)
    {
        var scrape = new PrometheusText();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            void Fail(string why) => throw new FormatException($"line {i + 1}: {why}: {line}");
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
                {
                    if (!IsMetricName(parts[2]))
                    {
                        Fail("bad metric name");
                    }

                    if (parts[1] == "TYPE")
                    {
                        if (parts.Length != 4 || !Types.Contains(parts[3]))
                        {
                            Fail("bad TYPE");
                        }

                        if (!scrape._types.TryAdd(parts[2], parts[3]) || seen.Contains(parts[2]))
                        {
                            Fail("TYPE repeated or after the family's samples");
                        }
                    }
                }

                continue;
            }

            var sample = ParseSample(line, Fail);
            var family = scrape.FamilyOf(sample.Name);
            if (family != current)
            {
                if (current is not null)
                {
                    finished.Add(current);
                }

                if (finished.Contains(family))
                {
                    Fail("samples of one family are not together");
                }

                current = family;
            }

            if (!seen.Add(sample.Name + Key(sample.Labels)))
            {
                Fail("duplicate series");
            }

            seen.Add(family);
            if (scrape.TypeOf(family) == "counter" && (sample.Value < 0 || double.IsNaN(sample.Value)))
            {
                Fail("a counter must not be negative");
            }

            scrape._samples.Add(sample);
        }

        scrape.CheckHistograms();
        return scrape;
    }

    /// <summary>The value of the one sample named <paramref name="name"/> whose labels include <paramref name="labels"/>; null when none.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Name) == l.Value)).ToList();
        Assert.True(matches.Count <= 1, $"{matches.Count} series of {name} match");
        return matches.Count == 0 ? null : matches[0].Value;
    }

    private string FamilyOf(string name)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && _types.GetValueOrDefault(name[..^suffix.Length]) is "histogram" or "summary")
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private void CheckHistograms()
    {
        foreach (var (family, _) in _types.Where(t => t.Value == "histogram"))
        {
            var series = _samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => Key(s.Labels.Where(l => l.Key != "le")));
            foreach (var buckets in series)
            {
                var previous = double.NegativeInfinity;
                var count = 0.0;
                var sawInf = false;
                foreach (var bucket in buckets)
                {
                    var le = bucket.Labels.TryGetValue("le", out var bound) ? ParseValue(bound) : throw new FormatException($"{family}_bucket without le");
                    if (le <= previous || bucket.Value < count)
                    {
                        throw new FormatException($"{family}: buckets must grow in le and in count");
                    }

                    (previous, count, sawInf) = (le, bucket.Value, double.IsPositiveInfinity(le));
                }

                var labels = buckets.First().Labels.Where(l => l.Key != "le").ToDictionary();
                var total = _samples.SingleOrDefault(s => s.Name == family + "_count" && Key(s.Labels) == Key(labels));
                var sum = _samples.SingleOrDefault(s => s.Name == family + "_sum" && Key(s.Labels) == Key(labels));
                if (!sawInf || total is null || sum is null || total.Value != count)
                {
                    throw new FormatException($"{family}: needs an le=\"+Inf\" bucket equal to _count, and a _sum");
                }
            }
        }
    }

    private static PrometheusSample ParseSample(string line, Action<string> fail)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        if (!IsMetricName(name))
        {
            fail("bad metric name");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (line[i] != '=')
                {
                    i++;
                }

                var label = line[start..i];
                if (!IsLabelName(label) || line[i + 1] != '"')
                {
                    fail("bad label");
                }

                i += 2;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => throw new FormatException("bad escape: " + line) });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    fail("label repeated");
                }

                i++;
                if (line[i] == ',')
                {
                    i++;
                }
                else if (line[i] != '}')
                {
                    fail("labels must be separated by commas");
                }
            }

            i++;
        }

        var rest = line[i..].Split(' ', StringSplitOptions.None);
        if (rest.Length is < 2 or > 3 || rest[0].Length != 0)
        {
            fail("expected one space, a value and an optional timestamp");
        }

        if (rest.Length == 3 && !long.TryParse(rest[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            fail("bad timestamp");
        }

        return new PrometheusSample(name, labels, ParseValue(rest[1]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException("bad value: " + text),
    };

    private static string Key(IEnumerable<KeyValuePair<string, string>> labels) =>
        "{" + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";

    private static bool IsMetricName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
