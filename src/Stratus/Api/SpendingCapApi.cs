using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Billing;
using Stratus.Tenancy;

namespace Stratus.Api;

/// <summary>
/// <c>PUT /stratus/v1/accounts/{id}/cap</c> <c>{"Amount": 25.00, "Thresholds": [50, 80, 100]}</c> sets an
/// account's monthly spending cap (root only); <c>DELETE</c> removes it; <c>GET</c> shows it with the
/// month's charges so far and the warnings raised (root, or the account itself).
/// </summary>
internal static class SpendingCapApi
{
    private const string Path = "/stratus/v1/accounts/{id}/cap";
    private const int MaxBodyBytes = 4096;
    private const int MaxThresholds = 10;

    public static void MapSpendingCapApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut(Path, PutAsync);
        endpoints.MapGet(Path, (HttpContext context, string id, SpendingCaps caps) =>
        {
            AccountValidator.AccountId(id);
            BillingAccess.Demand(context, id, rootOnly: false);
            return ControlApi.Json(caps.Status(id), CapJson.Default.SpendingStatus);
        });
        endpoints.MapDelete(Path, (HttpContext context, string id, SpendingCaps caps) =>
        {
            AccountValidator.AccountId(id);
            BillingAccess.Demand(context, id, rootOnly: true);
            return caps.Remove(id) ? Results.NoContent() : throw LambdaException.NotFound($"Account {id} has no spending cap");
        });
    }

    private static async Task<IResult> PutAsync(HttpContext context, string id, SpendingCaps caps, AccountDirectory accounts)
    {
        AccountValidator.AccountId(id);
        BillingAccess.Demand(context, id, rootOnly: true);
        accounts.GetAccount(id);
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
        {
            throw LambdaException.TooLarge($"A cap is at most {MaxBodyBytes} bytes of JSON");
        }

        CapInput? input;
        try
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted);
            if (body.Length > MaxBodyBytes)
            {
                throw LambdaException.TooLarge($"A cap is at most {MaxBodyBytes} bytes of JSON");
            }

            input = JsonSerializer.Deserialize(body.ToArray(), CapJson.Default.CapInput);
        }
        catch (JsonException)
        {
            throw LambdaException.InvalidContent("The body must be JSON: {\"Amount\": 25.00, \"Thresholds\": [50, 80, 100]}");
        }

        if (input?.Amount is not { } amount || amount <= 0 || amount > 1_000_000_000m || decimal.Round(amount, 2) != amount)
        {
            throw LambdaException.InvalidParameter("Amount must be more than 0 and at most 1000000000, in cents at most (e.g. 25.00); to stop an account, disable it");
        }

        var thresholds = input.Thresholds ?? [.. SpendingCap.DefaultThresholds];
        if (thresholds.Count > MaxThresholds || thresholds.Any(t => t is < 1 or > 100))
        {
            throw LambdaException.InvalidParameter($"Thresholds must be at most {MaxThresholds} percentages between 1 and 100");
        }

        var cap = new SpendingCap(id, amount, [.. thresholds.Distinct().Order()]);
        caps.Set(cap);
        return ControlApi.Json(caps.Status(id), CapJson.Default.SpendingStatus);
    }
}

internal sealed record CapInput(decimal? Amount, List<int>? Thresholds);

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CapInput))]
[JsonSerializable(typeof(SpendingStatus))]
internal sealed partial class CapJson : JsonSerializerContext;
