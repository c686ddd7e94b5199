namespace Stratus.Billing;

/// <summary>The durable usage ledger.</summary>
public interface IUsageStore
{
    /// <summary>
    /// Stores a batch in one transaction. A record whose (request id, attempt) is already stored is
    /// skipped, so writing a batch again never duplicates a record.
    /// </summary>
    void Append(IReadOnlyList<UsageRecord> records);

    IReadOnlyList<UsageTotal> Totals(UsageQuery query);

    /// <summary>The records of one request id, every attempt, oldest first.</summary>
    IReadOnlyList<UsageRecord> ForRequest(string requestId);

    /// <summary>How many records the ledger holds.</summary>
    long Count();
}
