using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Stratus.Tenancy.SigV4;

/// <summary>Captures an ASP.NET Core request for <see cref="ISigV4Verifier"/>, leaving its body readable.</summary>
public static class SigV4RequestReader
{
    /// <summary>
    /// Reads the raw request target (as sent, not the decoded path) and the whole body, then rewinds the
    /// body for the endpoint. Null when the body is longer than <paramref name="maxBodyBytes"/>.
    /// </summary>
    public static async ValueTask<SigV4Request?> ReadAsync(HttpContext context, int maxBodyBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget))
        {
            rawTarget = request.PathBase + request.Path + request.QueryString;
        }

        if (request.ContentLength is > 0 and var length && length > maxBodyBytes)
        {
            return null;
        }

        request.EnableBuffering();
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > maxBodyBytes)
            {
                return null;
            }

            body.Write(buffer, 0, read);
        }

        request.Body.Position = 0;
        return new SigV4Request(request.Method, rawTarget, request.Headers, body.GetBuffer().AsMemory(0, (int)body.Length));
    }
}
