using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Billing;

namespace Stratus.Api;

/// <summary>
/// <c>GET /stratus/v1/invoices/{account}/{yyyy-MM}?format=json|csv|html</c>: the price plan applied to
/// the account's ledger for that month (UTC). The account itself or root may read it.
/// </summary>
internal static class InvoiceApi
{
    public static void MapInvoiceApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/stratus/v1/invoices/{account}/{period}", Get);

    private static IResult Get(HttpContext context, string account, string period, UsageLedger ledger, Charges charges)
    {
        Tenancy.AccountValidator.AccountId(account);
        BillingAccess.Demand(context, account, rootOnly: false);
        if (!DateTime.TryParseExact(period, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month))
        {
            throw LambdaException.InvalidParameter("the period must be a month, yyyy-MM (e.g. 2026-11)");
        }

        var from = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        ledger.Import();
        var usage = ledger.Store.UsageByRuntime(account, from, from.AddMonths(1)).Select(u => u.Usage).ToList();
        var invoice = charges.Invoice(account, from, usage);
        return UsageApi.Read(context.Request, "format") switch
        {
            null or "json" => ControlApi.Json(invoice, InvoiceJson.Default.Invoice),
            "csv" => Results.Text(InvoiceFormats.Csv(invoice), "text/csv; charset=utf-8"),
            "html" => Results.Text(InvoiceFormats.Html(invoice), "text/html; charset=utf-8"),
            _ => throw LambdaException.InvalidParameter("format must be json, csv or html"),
        };
    }
}

[JsonSerializable(typeof(Invoice))]
internal sealed partial class InvoiceJson : JsonSerializerContext;
