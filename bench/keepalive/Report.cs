using System.Globalization;

namespace Stratus.Bench.KeepAlive;

/// <summary>
/// Prints the results as Markdown tables, so they paste into docs/benchmarks.md as they are: the
/// totals of both policies with their ratio, then each function.
/// </summary>
internal static class Report
{
    public static void Write(TextWriter output, IReadOnlyList<FunctionResult> results, TimeSpan fixedKeepAlive, TimeSpan length)
    {
        var invocations = results.Sum(r => r.Function.Invocations.Count);
        var fixedName = $"fixed {fixedKeepAlive.TotalMinutes:0} min";
        output.WriteLine(Format($"Trace: {results.Count} functions, {invocations} invocations over {length.TotalHours:0} h."));
        output.WriteLine();
        output.WriteLine("| policy | cold starts | cold-start rate | mean cold-start rate per function | idle memory (GB·s) | pre-warms (used) |");
        output.WriteLine("|---|--:|--:|--:|--:|--:|");
        var fixedTotals = Totals(results.Select(r => r.Fixed).ToList());
        var adaptiveTotals = Totals(results.Select(r => r.Adaptive).ToList());
        output.WriteLine(Row(fixedName, fixedTotals));
        output.WriteLine(Row("adaptive", adaptiveTotals));
        output.WriteLine(Format(
            $"| adaptive / fixed | {Ratio(adaptiveTotals.Cold, fixedTotals.Cold)} | {Ratio(adaptiveTotals.Rate, fixedTotals.Rate)} | {Ratio(adaptiveTotals.MeanRate, fixedTotals.MeanRate)} | {Ratio(adaptiveTotals.IdleGbSeconds, fixedTotals.IdleGbSeconds)} | |"));
        output.WriteLine();
        output.WriteLine("| function | kind | MB | pattern | invocations | cold starts fixed → adaptive | idle GB·s fixed → adaptive | adaptive at the end |");
        output.WriteLine("|---|---|--:|---|--:|--:|--:|---|");
        foreach (var (function, fixedOutcome, adaptive) in results)
        {
            var final = adaptive.Final;
            var state = final.Reason is null
                ? Format($"histogram: pre-warm {final.PreWarmSeconds / 60:0.#} min, keep {final.KeepAliveSeconds / 60:0.#} min")
                : "fixed: " + final.Reason;
            output.WriteLine(Format(
                $"| {function.Name} | {function.Kind} | {function.MemoryMb} | {function.Pattern} | {function.Invocations.Count} | {fixedOutcome.ColdStarts} → {adaptive.ColdStarts} | {fixedOutcome.IdleGbSeconds:0} → {adaptive.IdleGbSeconds:0} | {state} |"));
        }
    }

    private static (long Cold, double Rate, double MeanRate, double IdleGbSeconds, long PreWarms, long PreWarmHits) Totals(IReadOnlyList<FunctionOutcome> outcomes)
    {
        var cold = outcomes.Sum(o => o.ColdStarts);
        var invocations = outcomes.Sum(o => o.Invocations);
        return (
            cold,
            (double)cold / invocations,
            outcomes.Where(o => o.Invocations > 0).Average(o => (double)o.ColdStarts / o.Invocations),
            outcomes.Sum(o => o.IdleGbSeconds),
            outcomes.Sum(o => o.PreWarms),
            outcomes.Sum(o => o.PreWarmHits));
    }

    private static string Row(string name, (long Cold, double Rate, double MeanRate, double IdleGbSeconds, long PreWarms, long PreWarmHits) totals) =>
        Format($"| {name} | {totals.Cold} | {totals.Rate:P2} | {totals.MeanRate:P1} | {totals.IdleGbSeconds:0} | {totals.PreWarms} ({totals.PreWarmHits}) |");

    private static string Ratio(double value, double baseline) => baseline == 0 ? "–" : Format($"{value / baseline:0.00}");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
