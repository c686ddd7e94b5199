namespace Stratus.Billing;

/// <summary>
/// A price plan applied to a month of usage, in decimal arithmetic. Usage is split into price groups:
/// the plan's own prices (every runtime not priced on its own) first, then each runtime with prices
/// of its own in ordinal order; the free tier is used up in that order. Each line's amount is exact
/// until it is rounded to the cent (<see cref="RoundingRule"/>); the total is the sum of the rounded
/// lines, so the lines always add up to it.
/// </summary>
public sealed class Charges
{
    public const string RoundingRule = "each line: billable quantity × unit price, exact, then rounded to the cent, half away from zero; total: the sum of the lines";
    private const decimal Million = 1_000_000m;
    private readonly PricePlan _plan;
    private readonly string?[] _groups;
    private readonly Dictionary<string, int> _groupOf;

    public Charges(PricePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _plan = plan;
        _groups = [null, .. plan.PricedRuntimes()];
        _groupOf = new(StringComparer.Ordinal);
        for (var group = 1; group < _groups.Length; group++)
        {
            _groupOf[_groups[group]!] = group;
        }
    }

    public PricePlan Plan => _plan;

    /// <summary>Price groups: 0 is the plan's own prices, then one per runtime priced on its own.</summary>
    public int Groups => _groups.Length;

    public int GroupOf(string runtime) => _groupOf.GetValueOrDefault(runtime);

    /// <summary>The invoice of one account's month, from its usage per runtime.</summary>
    public Invoice Invoice(string accountId, DateTimeOffset month, IReadOnlyList<RuntimeUsage> usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var requests = new long[Groups];
        var megabyteMilliseconds = new long[Groups];
        foreach (var item in usage)
        {
            requests[GroupOf(item.Runtime)] += item.Requests;
            megabyteMilliseconds[GroupOf(item.Runtime)] += item.MegabyteMilliseconds;
        }

        var lines = new List<InvoiceLine>();
        var total = Total(requests, megabyteMilliseconds, lines);
        var from = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return new Invoice(accountId, Period(from), _plan.Currency, from, from.AddMonths(1), lines, total, RoundingRule);
    }

    /// <summary>The month's charges so far, without allocating (the spending caps' running total).</summary>
    public decimal Total(ReadOnlySpan<long> requests, ReadOnlySpan<long> megabyteMilliseconds) => Total(requests, megabyteMilliseconds, null);

    public static string Period(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    private decimal Total(ReadOnlySpan<long> requests, ReadOnlySpan<long> megabyteMilliseconds, List<InvoiceLine>? lines)
    {
        decimal total = 0;
        decimal freeRequests = _plan.FreeRequests;
        var freeGbSeconds = _plan.FreeGbSeconds;
        for (var group = 0; group < _groups.Length; group++)
        {
            var runtime = _groups[group];
            // The plan's own lines always show; a runtime's only when it was used.
            if (group > 0 && requests[group] == 0 && megabyteMilliseconds[group] == 0)
            {
                continue;
            }

            total += Line("Requests", "requests", requests[group], ref freeRequests, _plan.RequestPrice(runtime), Million, runtime, lines);
            total += Line("Compute", "GB-seconds", Usage.GbSeconds(megabyteMilliseconds[group]), ref freeGbSeconds, _plan.ComputePrice(runtime), 1, runtime, lines);
        }

        return total;
    }

    private static decimal Line(string what, string unit, decimal quantity, ref decimal free, decimal price, decimal per, string? runtime, List<InvoiceLine>? lines)
    {
        var covered = Math.Min(quantity, free);
        free -= covered;
        var billable = quantity - covered;
        var amount = Round(billable * price / per);
        lines?.Add(new InvoiceLine(runtime is null ? what : $"{what} ({runtime})", unit, quantity, covered, billable, price, per, amount));
        return amount;
    }
}
