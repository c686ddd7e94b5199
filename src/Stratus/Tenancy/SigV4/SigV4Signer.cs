using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Stratus.Tenancy.SigV4;

/// <summary>
/// Signs requests the way the AWS clients do (header signature over host, x-amz-date and content-type),
/// for Stratus's own clients: the <c>stratus</c> CLI and the web console's tests. It shares the canonical
/// request with <see cref="SigV4Verifier"/>, which real AWS clients' requests check against.
/// </summary>
public static class SigV4Signer
{
    /// <summary>The headers to add: <c>X-Amz-Date</c> and <c>Authorization</c>.</summary>
    /// <param name="rawTarget">Path and query exactly as they will be sent (percent-encoded).</param>
    /// <param name="host">The Host header as it will be sent (with the port when not the default).</param>
    public static (string AmzDate, string Authorization) Sign(
        string method, string rawTarget, string host, string? contentType, ReadOnlyMemory<byte> body,
        string accessKeyId, string secret, string region, string service, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(rawTarget);
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var amzDate = SigV4Errors.Format(now);
        var headers = new HeaderDictionary { ["host"] = host, ["x-amz-date"] = amzDate };
        var signedHeaders = "host;x-amz-date";
        if (!string.IsNullOrEmpty(contentType))
        {
            headers["content-type"] = contentType;
            signedHeaders = "content-type;host;x-amz-date";
        }

        var scopeDate = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var authorization = new SigV4Authorization(accessKeyId, scopeDate, region, service, SigV4Authorization.Terminator, signedHeaders, "");
        var request = new SigV4Request(method, rawTarget, headers, body);
        var path = SigV4Canonicalizer.PathOf(rawTarget, out var query);
        Span<byte> signature = stackalloc byte[32];
        SigV4Verifier.ComputeSignature(request, authorization, new SigV4Verifier.SignedDate(now), path, query, skipQuery: null, secret, signature);
        var header = $"{SigV4Authorization.Algorithm} Credential={accessKeyId}/{authorization.Scope}, SignedHeaders={signedHeaders}, Signature={Convert.ToHexStringLower(signature)}";
        return (amzDate, header);
    }
}
