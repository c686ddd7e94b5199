using Microsoft.AspNetCore.Http;
using Stratus.Tenancy;

namespace Stratus.Api;

/// <summary>Who may see an account's usage, invoices and cap: the account itself, and root.</summary>
internal static class BillingAccess
{
    /// <summary>The account named (root only), else the caller's own.</summary>
    public static string AccountFor(HttpContext context, string? named)
    {
        var caller = context.GetCaller();
        if (named is null || named == caller.AccountId)
        {
            return caller.AccountId;
        }

        return caller.IsRoot ? named : throw Denied(named);
    }

    public static void Demand(HttpContext context, string accountId, bool rootOnly)
    {
        var caller = context.GetCaller();
        if (!caller.IsRoot && (rootOnly || caller.AccountId != accountId))
        {
            throw Denied(accountId);
        }
    }

    private static LambdaException Denied(string accountId) =>
        new(StatusCodes.Status403Forbidden, "AccessDeniedException", $"The caller may not see or change the billing of account {accountId}");
}
