namespace Stratus.Tenancy.SigV4;

/// <summary>
/// The parts of a SigV4 signature, from either the Authorization header or presigned query parameters.
/// The credential is <c>AKID/YYYYMMDD/region/service/aws4_request</c>.
/// </summary>
internal sealed class SigV4Authorization
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Terminator = "aws4_request";

    // Long enough for any real client (dozens of signed headers); anything longer is refused unread.
    public const int MaxHeaderLength = 4096;

    // Where the region, service and terminator start in the credential: the parts stay views of the one
    // credential string, because every request carries one and most are checked in a few microseconds.
    private readonly int _region;
    private readonly int _service;
    private readonly int _terminator;

    /// <summary>Builds an authorization from its parts (for signing).</summary>
    public SigV4Authorization(string accessKeyId, string scopeDate, string scopeRegion, string scopeService, string scopeTerminator, string signedHeaders, string signature)
        : this(string.Join('/', accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator), accessKeyId.Length, signedHeaders, signature)
    {
    }

    private SigV4Authorization(string credential, int keyLength, string signedHeaders, string signature)
    {
        Credential = credential;
        AccessKeyId = credential[..keyLength];
        _region = credential.IndexOf('/', keyLength + 1) + 1;
        _service = credential.IndexOf('/', _region) + 1;
        _terminator = credential.IndexOf('/', _service) + 1;
        SignedHeaders = signedHeaders;
        Signature = signature;
    }

    /// <summary>The whole credential: <c>AKID/date/region/service/aws4_request</c>.</summary>
    public string Credential { get; }

    public string AccessKeyId { get; }

    public string SignedHeaders { get; }

    public string Signature { get; }

    public ReadOnlySpan<char> ScopeDate => Credential.AsSpan(AccessKeyId.Length + 1, _region - AccessKeyId.Length - 2);

    public ReadOnlySpan<char> ScopeRegion => Credential.AsSpan(_region, _service - _region - 1);

    public ReadOnlySpan<char> ScopeService => Credential.AsSpan(_service, _terminator - _service - 1);

    public ReadOnlySpan<char> ScopeTerminator => Credential.AsSpan(_terminator);

    /// <summary>The credential scope as it appears in the string to sign: <c>date/region/service/aws4_request</c>.</summary>
    public ReadOnlySpan<char> Scope => Credential.AsSpan(AccessKeyId.Length + 1);

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

        ReadOnlySpan<char> credential = default, signedHeaders = default, signature = default;
        bool hasCredential = false, hasSignedHeaders = false, hasSignature = false;
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
            var value = pair[(equals + 1)..].Trim();
            if (key.SequenceEqual("Credential"))
            {
                credential = value;
                hasCredential = true;
            }
            else if (key.SequenceEqual("SignedHeaders"))
            {
                signedHeaders = value;
                hasSignedHeaders = true;
            }
            else if (key.SequenceEqual("Signature"))
            {
                signature = value;
                hasSignature = true;
            }
        }

        if (!hasCredential || !hasSignedHeaders || !hasSignature || !hasDate)
        {
            error = SigV4Errors.MissingParts(!hasCredential, !hasSignature, !hasSignedHeaders, !hasDate, header);
            return null;
        }

        return Create(credential.ToString(), signedHeaders.ToString(), signature.ToString(), out error);
    }

    /// <summary>Builds the authorization from its three values (as presigned URLs carry them).</summary>
    public static SigV4Authorization? Create(string credential, string signedHeaders, string signature, out SigV4Result? error)
    {
        if (credential.AsSpan().Count('/') != 4 || credential.StartsWith('/'))
        {
            error = SigV4Errors.Incomplete(
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{Bounded(credential)}'");
            return null;
        }

        error = null;
        return new SigV4Authorization(credential, credential.IndexOf('/', StringComparison.Ordinal), signedHeaders, signature);
    }

    private static string Bounded(ReadOnlySpan<char> text) => (text.Length <= 256 ? text : text[..256]).ToString();
}
