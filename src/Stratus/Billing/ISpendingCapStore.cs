namespace Stratus.Billing;

/// <summary>Where caps and the warnings they raised are kept.</summary>
public interface ISpendingCapStore
{
    IReadOnlyList<SpendingCap> List();

    void Put(SpendingCap cap);

    /// <summary>Removes the account's cap; false when it had none.</summary>
    bool Delete(string accountId);

    /// <summary>Records a warning; false when this threshold already warned in that month.</summary>
    bool AddWarning(SpendingWarning warning);

    IReadOnlyList<SpendingWarning> Warnings(string accountId, string period);
}
