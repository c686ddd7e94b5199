using Stratus.Api;

namespace Stratus.Events.Urls;

/// <summary>Lambda's checks on a function URL config, with its messages; nothing is stored when one fails.</summary>
internal static class FunctionUrlValidator
{
    private const int MaxListLength = 100;
    private const int MaxMethods = 6;
    private const int MaxHeaderLength = 1024;
    private const int MaxOriginLength = 253;
    private const int MaxMethodLength = 6;
    private const int MaxAgeSeconds = 86400;

    public static void Validate(string? authType, FunctionUrlCors? cors, string? invokeMode)
    {
        if (authType is not null and not FunctionUrlConfig.AuthNone and not FunctionUrlConfig.AuthIam)
        {
            throw Invalid($"Value '{authType}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]");
        }

        if (invokeMode is not null and not FunctionUrlConfig.Buffered and not FunctionUrlConfig.ResponseStream)
        {
            throw Invalid($"Value '{invokeMode}' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]");
        }

        if (invokeMode == FunctionUrlConfig.ResponseStream)
        {
            throw LambdaException.InvalidParameter("Stratus answers function URLs with buffered responses only: InvokeMode RESPONSE_STREAM (response streaming) is not supported yet; use BUFFERED or leave InvokeMode out.");
        }

        if (cors is null)
        {
            return;
        }

        CheckList(cors.AllowHeaders, "cors.allowHeaders", MaxListLength, 0, MaxHeaderLength);
        CheckList(cors.ExposeHeaders, "cors.exposeHeaders", MaxListLength, 0, MaxHeaderLength);
        CheckList(cors.AllowOrigins, "cors.allowOrigins", MaxListLength, 1, MaxOriginLength);
        CheckList(cors.AllowMethods, "cors.allowMethods", MaxMethods, 0, MaxMethodLength);
        if (cors.MaxAge is < 0 or > MaxAgeSeconds)
        {
            throw Invalid($"Value '{cors.MaxAge}' at 'cors.maxAge' failed to satisfy constraint: Member must have value between 0 and {MaxAgeSeconds}");
        }
    }

    private static void CheckList(IReadOnlyList<string>? values, string field, int maxItems, int minLength, int maxLength)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > maxItems)
        {
            throw Invalid($"Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {maxItems}");
        }

        foreach (var value in values)
        {
            if (value is null || value.Length < minLength || value.Length > maxLength)
            {
                throw Invalid($"Value '{value}' at '{field}' failed to satisfy constraint: Member must have length between {minLength} and {maxLength}");
            }
        }
    }

    private static LambdaException Invalid(string detail) => new(400, "ValidationException", "1 validation error detected: " + detail);
}
