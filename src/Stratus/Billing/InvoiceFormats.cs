using System.Globalization;
using System.Net;
using System.Text;

namespace Stratus.Billing;

/// <summary>An invoice as CSV (one row per line, then the total) and as a printable HTML page.</summary>
public static class InvoiceFormats
{
    public static string Csv(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var text = new StringBuilder("account,period,description,unit,quantity,free,billable,unit_price,priced_per,amount,currency\n");
        foreach (var line in invoice.Lines)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{invoice.AccountId},{invoice.Period},{line.Description},{line.Unit},{line.Quantity},{line.FreeQuantity},{line.BillableQuantity},{line.UnitPrice},{line.PricedPer},{line.Amount:0.00},{invoice.Currency}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"{invoice.AccountId},{invoice.Period},Total,,,,,,,{invoice.Total:0.00},{invoice.Currency}");
        return text.ToString();
    }

    public static string Html(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        static string E(object value) => WebUtility.HtmlEncode(Convert.ToString(value, CultureInfo.InvariantCulture)!);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Invoice {{E(invoice.AccountId)}} {{E(invoice.Period)}}</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.3em .8em;text-align:right}td:first-child,th:first-child{text-align:left}@media print{body{margin:0} }</style></head>
            <body><h1>Invoice</h1><p>Account {{E(invoice.AccountId)}} &middot; {{E(invoice.Period)}} ({{invoice.From:yyyy-MM-dd}} to {{invoice.To.AddDays(-1):yyyy-MM-dd}}, UTC)</p>
            <table><thead><tr><th>Description</th><th>Quantity</th><th>Free tier</th><th>Billable</th><th>Unit price</th><th>Amount ({{E(invoice.Currency)}})</th></tr></thead><tbody>

            """);
        foreach (var line in invoice.Lines)
        {
            var per = line.PricedPer == 1 ? "" : $" per {line.PricedPer:#,0}";
            text.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(line.Description)}</td><td>{E(line.Quantity)} {E(line.Unit)}</td><td>{E(line.FreeQuantity)}</td><td>{E(line.BillableQuantity)}</td><td>{E(line.UnitPrice)}{E(per)}</td><td>{line.Amount:0.00}</td></tr>\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"""
            </tbody><tfoot><tr><th>Total</th><td></td><td></td><td></td><td></td><th>{invoice.Total:0.00}</th></tr></tfoot></table>
            <p><small>Rounding: {E(invoice.RoundingRule)}.</small></p></body></html>

            """);
        return text.ToString();
    }
}
