namespace Stratus.Tenancy.SigV4;

/// <summary>
/// The parts of a SigV4 signature, from either the Authorization header or presigned query parameters.
/// The credential is <c>AKID/YYYYMMDD/region/service/aws4_request</c>.
/// </summary>
internal sealed record SigV4Authorization(
    string AccessKeyId,
    string ScopeDate,
    string ScopeRegion,
    string ScopeService,
    string ScopeTerminator,
    string SignedHeaders,
    string Signature)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Terminator = "aws4_request";

    // Long enough for any real client (dozens of signed headers); anything longer is refused unread.
    public const int MaxHeaderLength = 4096;

    /// <summary>The credential scope as it appears in the string to sign: <c>date/region/service/aws4_request</c>.</summary>
    public string Scope => string.Join('/', ScopeDate, ScopeRegion, ScopeService, ScopeTerminator);

    /// <summary>Parses <c>AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c>.</summary>
    /// <param name="error">AWS's IncompleteSignatureException when the header is malformed.</param>
    public static SigV4Authorization? ParseHeader(string header, bool hasDate, out SigV4Result? error)
    {
        error = null;
        if (header.Length > MaxHeaderLength)
        {
            error = SigV4Errors.Incomplete("The Authorization header is too long.");
            return null;
        }

        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var algorithm = space < 0 ? header : header[..space];
        if (!algorithm.Equals(Algorithm, StringComparison.Ordinal))
        {
            // Another scheme (Bearer, Basic, AWS v2) lacks every part AWS looks for.
            error = algorithm.StartsWith("AWS4-", StringComparison.Ordinal)
                ? SigV4Errors.Incomplete($"Unsupported AWS 'algorithm': '{Bounded(algorithm)}'.")
                : SigV4Errors.MissingParts(true, true, true, !hasDate, header);
            return null;
        }

        string? credential = null, signedHeaders = null, signature = null;
        // AWS separates the pairs with commas and spaces alike, so a stray space inside a value splits it.
        foreach (var range in header.AsSpan(space + 1).SplitAny(',', ' '))
        {
            var pair = header.AsSpan(space + 1)[range].Trim();
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            if (equals < 0)
            {
                error = SigV4Errors.NotKeyValuePair(pair.ToString(), header);
                return null;
            }

            var key = pair[..equals].Trim();
            var value = pair[(equals + 1)..].Trim().ToString();
            if (key.SequenceEqual("Credential"))
            {
                credential = value;
            }
            else if (key.SequenceEqual("SignedHeaders"))
            {
                signedHeaders = value;
            }
            else if (key.SequenceEqual("Signature"))
            {
                signature = value;
            }
        }

        if (credential is null || signedHeaders is null || signature is null || !hasDate)
        {
            error = SigV4Errors.MissingParts(credential is null, signature is null, signedHeaders is null, !hasDate, header);
            return null;
        }

        return Create(credential, signedHeaders, signature, out error);
    }

    /// <summary>Builds the authorization from its three values (as presigned URLs carry them).</summary>
    public static SigV4Authorization? Create(string credential, string signedHeaders, string signature, out SigV4Result? error)
    {
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts[0].Length == 0)
        {
            error = SigV4Errors.Incomplete(
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{Bounded(credential)}'");
            return null;
        }

        error = null;
        return new SigV4Authorization(parts[0], parts[1], parts[2], parts[3], parts[4], signedHeaders, signature);
    }

    private static string Bounded(string text) => text.Length <= 256 ? text : text[..256];
}
