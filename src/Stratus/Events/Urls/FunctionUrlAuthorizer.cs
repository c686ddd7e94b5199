using Microsoft.AspNetCore.Http;

namespace Stratus.Events.Urls;

/// <summary>Who called an AWS_IAM function URL, as far as the request says.</summary>
public sealed record CallerIdentity(string AccessKey);

/// <summary>
/// Decides whether a request may invoke a function URL. AuthType NONE is public. AWS_IAM needs a
/// Signature V4 request (an <c>Authorization: AWS4-HMAC-SHA256 …</c> header or a presigned
/// <c>X-Amz-Signature</c> query): until accounts and keys exist, the signature's presence is checked,
/// not its value. This is the one place that check lives, for the tenancy work to replace.
/// </summary>
internal static class FunctionUrlAuthorizer
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>True when the request may go on; <paramref name="caller"/> is set for AWS_IAM.</summary>
    public static bool TryAuthorize(HttpRequest request, FunctionUrlConfig config, out CallerIdentity? caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        caller = null;
        if (config.AuthType == FunctionUrlConfig.AuthNone)
        {
            return true;
        }

        var authorization = request.Headers.Authorization.ToString();
        string? credential = null;
        if (authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal) && authorization.Contains("Signature=", StringComparison.Ordinal))
        {
            credential = ValueAfter(authorization, "Credential=");
        }
        else if (request.Query["X-Amz-Algorithm"] == Algorithm && request.Query["X-Amz-Signature"].ToString().Length > 0)
        {
            credential = request.Query["X-Amz-Credential"].ToString();
        }

        if (string.IsNullOrEmpty(credential))
        {
            return false;
        }

        var slash = credential.IndexOf('/');
        caller = new CallerIdentity(slash < 0 ? credential : credential[..slash]);
        return true;
    }

    private static string? ValueAfter(string header, string key)
    {
        var start = header.IndexOf(key, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += key.Length;
        var end = header.IndexOfAny([',', ' '], start);
        return end < 0 ? header[start..] : header[start..end];
    }
}
