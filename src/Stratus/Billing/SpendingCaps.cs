using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Stratus.Billing;

/// <summary>
/// Spending caps, checked on every invocation from a running total per account kept in memory: the
/// month's usage loaded from the ledger at start, then every metered invocation added to it (two
/// atomic additions; the charges are worked out only for an account with a cap, and compared with the
/// next threshold). An account whose charges reached its cap is throttled until the cap is raised or
/// removed, or the month (UTC) ends.
/// </summary>
public sealed partial class SpendingCaps
{
    private readonly ConcurrentDictionary<string, AccountSpend> _accounts = new(StringComparer.Ordinal);
    private readonly ISpendingCapStore _store;
    private readonly Charges _charges;
    private readonly TimeProvider _time;
    private readonly ILogger<SpendingCaps> _logger;

    public SpendingCaps(ISpendingCapStore store, UsageLedger ledger, Charges charges, TimeProvider time, ILogger<SpendingCaps> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _charges = charges;
        _time = time;
        _logger = logger;

        // Before the first invocation: the ledger holds every record so far (a killed server's journal
        // is imported when the ledger opens), and from here on each one is also added here.
        var now = time.GetUtcNow();
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        ledger.Import();
        foreach (var usage in ledger.Store.UsageByRuntime(null, month, month.AddMonths(1)))
        {
            var spend = Spend(usage.AccountId, PeriodOf(now));
            spend.Requests[_charges.GroupOf(usage.Usage.Runtime)] += usage.Usage.Requests;
            spend.MegabyteMilliseconds[_charges.GroupOf(usage.Usage.Runtime)] += usage.Usage.MegabyteMilliseconds;
        }

        foreach (var cap in store.List())
        {
            var spend = Spend(cap.AccountId, PeriodOf(now));
            foreach (var warning in store.Warnings(cap.AccountId, Charges.Period(now)))
            {
                spend.Warned.Add(warning.Threshold);
                spend.Warnings.Add(warning);
            }

            Apply(spend, cap);
        }
    }

    /// <summary>Throws Lambda's throttling error when the account's charges this month reached its cap.</summary>
    public void ThrowIfOverCap(string accountId)
    {
        if (_accounts.TryGetValue(accountId, out var spend) && spend.Over && spend.Period == PeriodOf(_time.GetUtcNow()) && spend.Cap is { } cap)
        {
            throw Api.LambdaException.Throttled(
                "SpendingCapReached",
                $"Account {accountId} reached its spending cap of {cap.Amount} {_charges.Plan.Currency} for {Charges.Period(_time.GetUtcNow())}: its invocations are throttled until the cap is raised or the month ends.");
        }
    }

    /// <summary>Counts a metered invocation.</summary>
    public void Add(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var period = PeriodOf(record.Metrics.StartedAt);
        var spend = Spend(record.AccountId, period);
        if (period != Volatile.Read(ref spend.Period))
        {
            lock (spend.Sync)
            {
                if (period < spend.Period)
                {
                    // Started last month, metered after this one began: last month's invoice has it.
                    return;
                }

                if (period > spend.Period)
                {
                    spend.Restart(period);
                    Arm(spend, 0);
                }
            }
        }

        var group = _charges.Groups == 1 ? 0 : _charges.GroupOf(record.Runtime);
        Interlocked.Increment(ref spend.Requests[group]);
        Interlocked.Add(ref spend.MegabyteMilliseconds[group], record.Metrics.BilledMs * record.Metrics.MemorySizeMb);
        if (spend.Cap is not null && _charges.Total(spend.Requests, spend.MegabyteMilliseconds) is var charges && charges >= spend.NextAlarm)
        {
            lock (spend.Sync)
            {
                Alarm(spend, charges);
            }
        }
    }

    /// <summary>Sets (or replaces) an account's cap; it holds at once against this month's charges so far.</summary>
    public void Set(SpendingCap cap)
    {
        ArgumentNullException.ThrowIfNull(cap);
        _store.Put(cap);
        Apply(Spend(cap.AccountId, PeriodOf(_time.GetUtcNow())), cap);
    }

    /// <summary>Removes an account's cap; false when it had none.</summary>
    public bool Remove(string accountId)
    {
        var removed = _store.Delete(accountId);
        if (_accounts.TryGetValue(accountId, out var spend))
        {
            lock (spend.Sync)
            {
                spend.Cap = null;
                spend.Over = false;
                spend.NextAlarm = decimal.MaxValue;
            }
        }

        return removed;
    }

    /// <summary>An account's cap, this month's charges so far and the warnings they raised.</summary>
    public SpendingStatus Status(string accountId)
    {
        var now = _time.GetUtcNow();
        var spend = Spend(accountId, PeriodOf(now));
        var current = spend.Period == PeriodOf(now);
        lock (spend.Sync)
        {
            var charges = current ? _charges.Total(spend.Requests, spend.MegabyteMilliseconds) : 0;
            IReadOnlyList<SpendingWarning> warnings = current ? [.. spend.Warnings] : [];
            return new SpendingStatus(accountId, Charges.Period(now), _charges.Plan.Currency, spend.Cap, charges, current && spend.Over, warnings);
        }
    }

    private AccountSpend Spend(string accountId, int period) =>
        _accounts.GetOrAdd(accountId, static (_, state) => new AccountSpend(state.Groups, state.Period), (Groups: _charges.Groups, Period: period));

    private void Apply(AccountSpend spend, SpendingCap cap)
    {
        lock (spend.Sync)
        {
            spend.Cap = cap;
            spend.Over = false;
            Alarm(spend, _charges.Total(spend.Requests, spend.MegabyteMilliseconds));
        }
    }

    // Under the account's lock: warns of each threshold reached for the first time this month, throttles
    // at the cap, and sets the next point at which to look again.
    private void Alarm(AccountSpend spend, decimal charges)
    {
        if (spend.Cap is not { } cap)
        {
            return;
        }

        foreach (var threshold in cap.Thresholds)
        {
            if (charges >= cap.Amount * threshold / 100 && spend.Warned.Add(threshold))
            {
                var warning = new SpendingWarning(cap.AccountId, Charges.Period(_time.GetUtcNow()), threshold, charges, _time.GetUtcNow());
                spend.Warnings.Add(warning);
                Log.ThresholdReached(_logger, cap.AccountId, threshold, charges, cap.Amount, _charges.Plan.Currency);
                // Off the invocation's path: the reply does not wait for the database.
                ThreadPool.QueueUserWorkItem(RecordWarning, warning, preferLocal: false);
            }
        }

        if (charges >= cap.Amount && !spend.Over)
        {
            spend.Over = true;
            Log.CapReached(_logger, cap.AccountId, cap.Amount, _charges.Plan.Currency);
        }

        Arm(spend, charges);
    }

    private static void Arm(AccountSpend spend, decimal charges)
    {
        var next = decimal.MaxValue;
        if (spend.Cap is { } cap)
        {
            foreach (var threshold in cap.Thresholds)
            {
                var at = cap.Amount * threshold / 100;
                if (!spend.Warned.Contains(threshold) && at > charges)
                {
                    next = Math.Min(next, at);
                }
            }

            if (!spend.Over)
            {
                next = Math.Min(next, cap.Amount);
            }
        }

        spend.NextAlarm = next;
    }

    private void RecordWarning(SpendingWarning warning)
    {
        try
        {
            _store.AddWarning(warning);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.WarningNotRecorded(_logger, warning.AccountId, warning.Threshold, ex);
        }
    }

    // The month most invocations fall in, as UTC ticks [Start, End): every metered invocation asks for
    // its month, and working it out from the date takes two divisions by calendar rules.
    private static Month s_month = new(0, 0, 0);

    private static int PeriodOf(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks;
        var month = Volatile.Read(ref s_month);
        if (ticks >= month.Start && ticks < month.End)
        {
            return month.Period;
        }

        var utc = instant.UtcDateTime;
        var start = new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        // December 9999 has no next month to end at.
        var end = start.Year == DateTime.MaxValue.Year && start.Month == 12 ? long.MaxValue : start.AddMonths(1).Ticks;
        var period = (utc.Year * 12) + utc.Month - 1;
        Volatile.Write(ref s_month, new Month(start.Ticks, end, period));
        return period;
    }

    private sealed record Month(long Start, long End, int Period);

    private static partial class Log
    {
        [LoggerMessage(60, LogLevel.Warning, "Account {AccountId} reached {Threshold}% of its spending cap this month: {Charges} of {Cap} {Currency}")]
        public static partial void ThresholdReached(ILogger logger, string accountId, int threshold, decimal charges, decimal cap, string currency);

        [LoggerMessage(61, LogLevel.Warning, "Account {AccountId} reached its spending cap of {Cap} {Currency}: its invocations are throttled until the cap is raised or the month ends")]
        public static partial void CapReached(ILogger logger, string accountId, decimal cap, string currency);

        [LoggerMessage(62, LogLevel.Error, "Could not record the {Threshold}% spending warning of account {AccountId}")]
        public static partial void WarningNotRecorded(ILogger logger, string accountId, int threshold, Exception exception);
    }
}
