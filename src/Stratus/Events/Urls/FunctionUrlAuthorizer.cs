using Microsoft.AspNetCore.Http;
using Stratus.Tenancy.SigV4;

namespace Stratus.Events.Urls;

/// <summary>Who called an AWS_IAM function URL: the access key that signed the request.</summary>
public sealed record CallerIdentity(string AccessKey);

/// <summary>
/// Decides whether a request may invoke a function URL. AuthType NONE is public. AWS_IAM needs a valid
/// Signature V4 (header or presigned query, service <c>lambda</c>) by a key of the function's own account
/// or of the root account: a key of another tenant is refused as an unsigned request is.
/// </summary>
internal static class FunctionUrlAuthorizer
{
    /// <summary>True when the request may go on; <paramref name="caller"/> is set for AWS_IAM.</summary>
    public static bool TryAuthorize(HttpContext context, FunctionUrlConfig config, string ownerAccountId, string rootAccountId,
        ReadOnlyMemory<byte> body, ISigV4Verifier verifier, out CallerIdentity? caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(verifier);
        caller = null;
        if (config.AuthType == FunctionUrlConfig.AuthNone)
        {
            return true;
        }

        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        var target = string.IsNullOrEmpty(raw) ? context.Request.PathBase + context.Request.Path + context.Request.QueryString : raw;
        var result = verifier.Verify(new SigV4Request(context.Request.Method, target, context.Request.Headers, body), "lambda");
        if (!result.IsValid || (result.AccountId != ownerAccountId && result.AccountId != rootAccountId))
        {
            return false;
        }

        caller = new CallerIdentity(result.AccessKeyId!);
        return true;
    }
}
