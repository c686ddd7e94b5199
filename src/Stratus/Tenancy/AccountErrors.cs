using Stratus.Api;

namespace Stratus.Tenancy;

/// <summary>The errors of the account API, in the shapes the rest of the native API uses.</summary>
internal static class AccountErrors
{
    public static LambdaException Validation(string message) => new(400, "ValidationException", message);

    public static LambdaException AccountNotFound(string id) => LambdaException.NotFound($"Account {id} does not exist.");

    public static LambdaException KeyNotFound(string accountId, string keyId) => LambdaException.NotFound($"Access key {keyId} does not exist in account {accountId}.");

    public static LambdaException Conflict(string message) => LambdaException.Conflict(message);
}
