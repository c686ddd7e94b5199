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

    // The parts stay views of the text they came in (the Authorization header, or the presigned URL's
    // values): every request carries one, and most are checked in a few microseconds. Within the
    // credential, the region, service and terminator start at the offsets kept here.
    private readonly string _credential;
    private readonly Range _credentialRange;
    private readonly string _signedHeaders;
    private readonly Range _signedHeadersRange;
    private readonly string _signature;
    private readonly Range _signatureRange;
    private readonly int _keyLength;
    private readonly int _region;
    private readonly int _service;
    private readonly int _terminator;

    /// <summary>Builds an authorization from its parts (for signing).</summary>
    public SigV4Authorization(string accessKeyId, string scopeDate, string scopeRegion, string scopeService, string scopeTerminator, string signedHeaders, string signature)
        : this(string.Join('/', accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator), .., signedHeaders, .., signature, ..)
    {
    }

    private SigV4Authorization(string credential, Range credentialRange, string signedHeaders, Range signedHeadersRange, string signature, Range signatureRange)
    {
        _credential = credential;
        _credentialRange = credentialRange;
        _signedHeaders = signedHeaders;
        _signedHeadersRange = signedHeadersRange;
        _signature = signature;
        _signatureRange = signatureRange;
        var text = Credential;
        _keyLength = text.IndexOf('/');
        _region = _keyLength + 1 + text[(_keyLength + 1)..].IndexOf('/') + 1;
        _service = _region + text[_region..].IndexOf('/') + 1;
        _terminator = _service + text[_service..].IndexOf('/') + 1;
    }

    /// <summary>The whole credential: <c>AKID/date/region/service/aws4_request</c>.</summary>
    public ReadOnlySpan<char> Credential => _credential.AsSpan()[_credentialRange];

    public ReadOnlySpan<char> AccessKeyId => Credential[.._keyLength];

    public ReadOnlySpan<char> SignedHeaders => _signedHeaders.AsSpan()[_signedHeadersRange];

    public ReadOnlySpan<char> Signature => _signature.AsSpan()[_signatureRange];

    public ReadOnlySpan<char> ScopeDate => Credential[(_keyLength + 1)..(_region - 1)];

    public ReadOnlySpan<char> ScopeRegion => Credential[_region..(_service - 1)];

    public ReadOnlySpan<char> ScopeService => Credential[_service..(_terminator - 1)];

    public ReadOnlySpan<char> ScopeTerminator => Credential[_terminator..];

    /// <summary>The credential scope as it appears in the string to sign: <c>date/region/service/aws4_request</c>.</summary>
    public ReadOnlySpan<char> Scope => Credential[(_keyLength + 1)..];

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

        if (hasDate && TryParseCommon(header) is { } common)
        {
            return common;
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

        Range credential = default, signedHeaders = default, signature = default;
        bool hasCredential = false, hasSignedHeaders = false, hasSignature = false;
        // AWS separates the pairs with commas and spaces alike, so a stray space inside a value splits it.
        foreach (var range in header.AsSpan().SplitAny(',', ' '))
        {
            var (at, length) = Trimmed(header, range);
            if (at <= space || length == 0)
            {
                continue;
            }

            var pair = header.AsSpan(at, length);
            var equals = pair.IndexOf('=');
            if (equals < 0)
            {
                error = SigV4Errors.NotKeyValuePair(pair.ToString(), header);
                return null;
            }

            var key = pair[..equals].Trim();
            var (valueAt, valueLength) = Trimmed(header, (at + equals + 1)..(at + length));
            var value = valueAt..(valueAt + valueLength);
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

        return Create(header, credential, header, signedHeaders, header, signature, out error);
    }

    /// <summary>
    /// The form every AWS client writes, <c>AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c>,
    /// with values of printable ASCII and no blank or comma: read by position. Anything else (another
    /// order, other spacing, a missing part) is left to the general parser, which gives the same
    /// result for this form.
    /// </summary>
    private static SigV4Authorization? TryParseCommon(string header)
    {
        const string Start = Algorithm + " Credential=";
        const string Headers = ", SignedHeaders=";
        const string Signed = ", Signature=";
        if (!header.StartsWith(Start, StringComparison.Ordinal))
        {
            return null;
        }

        var text = header.AsSpan();
        var credentialEnd = text[Start.Length..].IndexOf(Headers, StringComparison.Ordinal);
        if (credentialEnd <= 0)
        {
            return null;
        }

        credentialEnd += Start.Length;
        var headersStart = credentialEnd + Headers.Length;
        var headersEnd = text[headersStart..].IndexOf(Signed, StringComparison.Ordinal);
        if (headersEnd <= 0)
        {
            return null;
        }

        headersEnd += headersStart;
        var signatureStart = headersEnd + Signed.Length;
        if (signatureStart == text.Length
            || text[Start.Length..credentialEnd].ContainsAnyExcept(ValueCharacters)
            || text[headersStart..headersEnd].ContainsAnyExcept(ValueCharacters)
            || text[signatureStart..].ContainsAnyExcept(ValueCharacters))
        {
            return null;
        }

        return Create(header, Start.Length..credentialEnd, header, headersStart..headersEnd, header, signatureStart.., out _);
    }

    // Printable ASCII but the blank and the comma, which separate the parts.
    private static readonly System.Buffers.SearchValues<char> ValueCharacters =
        System.Buffers.SearchValues.Create("!\"#$%&'()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Builds the authorization from its three values (as presigned URLs carry them).</summary>
    public static SigV4Authorization? Create(string credential, string signedHeaders, string signature, out SigV4Result? error) =>
        Create(credential, .., signedHeaders, .., signature, .., out error);

    private static SigV4Authorization? Create(string credentialText, Range credentialRange, string signedHeadersText, Range signedHeadersRange,
        string signatureText, Range signatureRange, out SigV4Result? error)
    {
        var credential = credentialText.AsSpan()[credentialRange];
        if (credential.Count('/') != 4 || credential.StartsWith('/'))
        {
            error = SigV4Errors.Incomplete(
                $"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{Bounded(credential)}'");
            return null;
        }

        error = null;
        return new SigV4Authorization(credentialText, credentialRange, signedHeadersText, signedHeadersRange, signatureText, signatureRange);
    }

    /// <summary>Where <paramref name="range"/> of <paramref name="text"/> starts and how long it is, blanks around it left out.</summary>
    private static (int At, int Length) Trimmed(string text, Range range)
    {
        var (at, length) = range.GetOffsetAndLength(text.Length);
        var part = text.AsSpan(at, length);
        var trimmed = part.TrimStart();
        at += part.Length - trimmed.Length;
        return (at, trimmed.TrimEnd().Length);
    }

    private static string Bounded(ReadOnlySpan<char> text) => (text.Length <= 256 ? text : text[..256]).ToString();
}
