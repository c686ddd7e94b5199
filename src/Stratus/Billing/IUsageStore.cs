namespace Stratus.Billing;

/// <summary>The durable usage ledger.</summary>
public interface IUsageStore
{
    /// <summary>
    /// Stores a batch of records read from the journal, and how far that journal file is imported
    /// (<paramref name="mark"/>), in one transaction: a file is never imported twice past its mark, so
    /// a server killed after the commit does not store the batch again at its next start.
    /// </summary>
    void Append(UsageBatch records, JournalMark mark);

    /// <summary>Slots of journal file <paramref name="file"/> already imported (0 for a file never seen).</summary>
    int ImportedSlots(long file);

    /// <summary>The highest journal file number ever imported from (0 for none): numbers are never reused.</summary>
    long LastJournalFile();

    IReadOnlyList<UsageTotal> Totals(UsageQuery query);

    /// <summary>Usage per account and runtime of records started in [<paramref name="from"/>, <paramref name="to"/>); one account's only when <paramref name="accountId"/> is set.</summary>
    IReadOnlyList<AccountUsage> UsageByRuntime(string? accountId, DateTimeOffset from, DateTimeOffset to);

    /// <summary>The records of one request id, every attempt, oldest first.</summary>
    IReadOnlyList<UsageRecord> ForRequest(string requestId);

    /// <summary>How many records the ledger holds.</summary>
    long Count();
}
