namespace Stratus.Billing;

/// <summary>
/// A charge: <see cref="Quantity"/> used, of which <see cref="FreeQuantity"/> the free tier covered;
/// <see cref="Amount"/> is <see cref="BillableQuantity"/> × <see cref="UnitPrice"/> per
/// <see cref="PricedPer"/> units, rounded to the cent.
/// </summary>
public sealed record InvoiceLine(
    string Description,
    string Unit,
    decimal Quantity,
    decimal FreeQuantity,
    decimal BillableQuantity,
    decimal UnitPrice,
    decimal PricedPer,
    decimal Amount);
