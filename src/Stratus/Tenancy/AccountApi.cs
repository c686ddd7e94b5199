using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Api;

namespace Stratus.Tenancy;

/// <summary>Accounts and access keys under <c>/stratus/v1/accounts</c>: only the root account may call it.</summary>
internal static class AccountApi
{
    private const string Accounts = "/stratus/v1/accounts";

    public static void MapAccountApi(this IEndpointRouteBuilder routes)
    {
        var endpoints = routes.MapGroup("").AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetCaller().IsRoot
                ? await next(context)
                : throw new LambdaException(StatusCodes.Status403Forbidden, "AccessDeniedException", "Only the root account may manage accounts and access keys."));
        endpoints.MapPost(Accounts, CreateAsync);
        endpoints.MapGet(Accounts, (AccountDirectory directory) =>
            ControlApi.Json(new ListAccountsResponse(directory.ListAccounts().Select(AccountMapping.Output).ToList()), AccountJson.Default.ListAccountsResponse));
        endpoints.MapGet(Accounts + "/{id}", (string id, AccountDirectory directory) => Output(directory.GetAccount(id)));
        endpoints.MapPost(Accounts + "/{id}/disable", (string id, AccountDirectory directory) => Output(directory.SetAccountStatus(id, AccountStatus.Disabled)));
        endpoints.MapPost(Accounts + "/{id}/enable", (string id, AccountDirectory directory) => Output(directory.SetAccountStatus(id, AccountStatus.Active)));
        endpoints.MapPost(Accounts + "/{id}/keys", (string id, AccountDirectory directory) =>
        {
            var created = directory.CreateKey(id);
            return ControlApi.Json(AccountMapping.Output(created.Key, created.Secret), AccountJson.Default.AccessKeyOutput, StatusCodes.Status201Created);
        });
        endpoints.MapGet(Accounts + "/{id}/keys", (string id, AccountDirectory directory) =>
            ControlApi.Json(new ListAccessKeysResponse(directory.ListKeys(id).Select(k => AccountMapping.Output(k)).ToList()), AccountJson.Default.ListAccessKeysResponse));
        endpoints.MapPost(Accounts + "/{id}/keys/{keyId}/deactivate", (string id, string keyId, AccountDirectory directory) => Output(directory.SetKeyStatus(id, keyId, AccessKeyStatus.Inactive)));
        endpoints.MapPost(Accounts + "/{id}/keys/{keyId}/activate", (string id, string keyId, AccountDirectory directory) => Output(directory.SetKeyStatus(id, keyId, AccessKeyStatus.Active)));
        endpoints.MapDelete(Accounts + "/{id}/keys/{keyId}", (string id, string keyId, AccountDirectory directory) =>
        {
            directory.DeleteKey(id, keyId);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> CreateAsync(HttpContext context, AccountDirectory directory)
    {
        var request = await RequestReader.ReadJsonAsync(context.Request, AccountJson.Default.CreateAccountRequest);
        var quotas = request.Quotas is { } q ? new AccountQuotas(q.ConcurrencyLimit, q.MaxFunctions, q.MaxCodeSizeBytes) : AccountQuotas.None;
        var account = directory.CreateAccount(request.Name ?? "", quotas);
        return ControlApi.Json(AccountMapping.Output(account), AccountJson.Default.AccountOutput, StatusCodes.Status201Created);
    }

    private static IResult Output(Account account) => ControlApi.Json(AccountMapping.Output(account), AccountJson.Default.AccountOutput);

    private static IResult Output(AccessKey key) => ControlApi.Json(AccountMapping.Output(key), AccountJson.Default.AccessKeyOutput);
}
