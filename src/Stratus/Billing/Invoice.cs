namespace Stratus.Billing;

/// <summary>
/// One account's charges for one calendar month (UTC). <see cref="Total"/> is the sum of the lines'
/// amounts, each of which is rounded to the cent on its own (<see cref="Charges.RoundingRule"/>).
/// </summary>
public sealed record Invoice(
    string AccountId,
    string Period,
    string Currency,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<InvoiceLine> Lines,
    decimal Total,
    string RoundingRule);
