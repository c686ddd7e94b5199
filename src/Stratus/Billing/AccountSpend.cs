namespace Stratus.Billing;

/// <summary>
/// One account's running usage in the current month, kept in memory: counters per price group added
/// to atomically on every invocation, and what its cap (if any) has said so far.
/// </summary>
internal sealed class AccountSpend(int groups, int period)
{
    public Lock Sync { get; } = new();

    /// <summary>The month counted: year × 12 + month − 1.</summary>
    public int Period = period;

    public long[] Requests { get; private set; } = new long[groups];

    public long[] MegabyteMilliseconds { get; private set; } = new long[groups];

    public SpendingCap? Cap;

    /// <summary>The charges at which the next warning or the cap is reached: below it an invocation only counts.</summary>
    public decimal NextAlarm = decimal.MaxValue;

    public volatile bool Over;

    public HashSet<int> Warned { get; } = [];

    /// <summary>The warnings of this month, as recorded (the store has them too, shortly after).</summary>
    public List<SpendingWarning> Warnings { get; } = [];

    /// <summary>A new month: counting starts from zero and no threshold has warned yet.</summary>
    public void Restart(int period)
    {
        Requests = new long[Requests.Length];
        MegabyteMilliseconds = new long[MegabyteMilliseconds.Length];
        Warned.Clear();
        Warnings.Clear();
        Over = false;
        Volatile.Write(ref Period, period);
    }
}
