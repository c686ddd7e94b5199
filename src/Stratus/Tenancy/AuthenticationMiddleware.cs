using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Stratus.Api;
using Stratus.Events.Queues;
using Stratus.Functions;
using Stratus.Hosting;
using Stratus.Tenancy.SigV4;

namespace Stratus.Tenancy;

/// <summary>
/// Checks the SigV4 signature of every API request and records the caller's account for the endpoints
/// (<see cref="CallerExtensions.GetCaller"/>). Failures get AWS's errors in the protocol of the API
/// that was called. Function URLs are answered before this (they authorise on their own) and the
/// health check and console pages are public.
/// </summary>
internal sealed class AuthenticationMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ISigV4Verifier _verifier;
    private readonly ISecretLookup _secrets;
    private readonly StratusOptions _options;

    public AuthenticationMiddleware(RequestDelegate next, ISigV4Verifier verifier, ISecretLookup secrets, IOptions<StratusOptions> options)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(options);
        _next = next;
        _verifier = verifier;
        _secrets = secrets;
        _options = options.Value;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (IsPublic(path))
        {
            await _next(context);
            return;
        }

        var service = SigV4SigningHandler.ServiceOf(path.Value ?? "");
        if (!_options.InsecureAnySignature && context.Request.Headers.Authorization.Count == 0 && !context.Request.Query.ContainsKey("X-Amz-Signature"))
        {
            // Refused before its body is read: an unsigned request cannot make the server buffer megabytes.
            await RejectAsync(context, service, SigV4Errors.Missing());
            return;
        }

        var body = await ReadBodyAsync(context.Request);
        SigV4Result result;
        if (_options.InsecureAnySignature)
        {
            result = AnySignature(context.Request);
        }
        else
        {
            result = _verifier.Verify(new SigV4Request(context.Request.Method, RawTarget(context), context.Request.Headers, body), service);
        }

        if (!result.IsValid)
        {
            await RejectAsync(context, service, result);
            return;
        }

        context.SetCaller(new Caller(result.AccountId!, result.AccessKeyId!, IsRoot: result.AccountId == _options.AccountId));
        await _next(context);
    }

    private static bool IsPublic(PathString path) =>
        path == "/health" || path.StartsWithSegments("/console", StringComparison.Ordinal)
        || path.StartsWithSegments(Functions.CodeLinks.Prefix.TrimEnd('/'), StringComparison.Ordinal);

    private static string RawTarget(HttpContext context)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        return string.IsNullOrEmpty(raw) ? context.Request.PathBase + context.Request.Path + context.Request.QueryString : raw;
    }

    /// <summary>
    /// Development mode: any signature, or none, is accepted. A request that names a known key acts for
    /// that key's account; anything else acts for the root account.
    /// </summary>
    private SigV4Result AnySignature(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var credential = header.IndexOf("Credential=", StringComparison.Ordinal);
        var keyId = credential < 0 ? request.Query["X-Amz-Credential"].ToString() : header[(credential + "Credential=".Length)..];
        var slash = keyId.IndexOf('/', StringComparison.Ordinal);
        keyId = slash < 0 ? keyId : keyId[..slash];
        return _secrets.TryGetSecret(keyId, out _, out var account)
            ? SigV4Result.Valid(account, keyId)
            : SigV4Result.Valid(_options.AccountId, "");
    }

    /// <summary>Reads the whole body (bounded by Kestrel's request limit) and leaves it for the endpoint.</summary>
    private static async ValueTask<byte[]> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return [];
        }

        var bytes = await RequestReader.ReadBytesAsync(request, FunctionLimits.MaxControlRequestBytes, "");
        request.Body = new MemoryStream(bytes, writable: false);
        request.HttpContext.Features.Set(new BufferedRequestBody(bytes));
        return bytes;
    }

    private static Task RejectAsync(HttpContext context, string service, SigV4Result result)
    {
        if (service == "sqs")
        {
            var queryCode = result.ErrorCode switch
            {
                SigV4Errors.InvalidSignature => "SignatureDoesNotMatch",
                SigV4Errors.UnrecognizedClient => "InvalidClientTokenId",
                SigV4Errors.MissingAuthenticationToken => "MissingAuthenticationToken",
                SigV4Errors.IncompleteSignature => "IncompleteSignature",
                _ => result.ErrorCode,
            };
            return SqsApi.WriteProtocolErrorAsync(context, new SqsException(result.ErrorCode!, result.Message!, queryCode, result.StatusCode));
        }

        return ErrorWriter.WriteAsync(context, new LambdaException(result.StatusCode, result.ErrorCode!, result.Message!));
    }
}
