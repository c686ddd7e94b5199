using System.Globalization;

namespace Stratus.Tenancy.SigV4;

/// <summary>The failures AWS answers to a request it cannot authenticate, with its codes, statuses and wording.</summary>
internal static class SigV4Errors
{
    public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
    public const string IncompleteSignature = "IncompleteSignatureException";
    public const string UnrecognizedClient = "UnrecognizedClientException";
    public const string InvalidSignature = "InvalidSignatureException";

    // Echoed header text is cut short: the message must stay bounded whatever a client sends.
    private const int MaxEchoedLength = 512;

    public static SigV4Result Missing() =>
        SigV4Result.Failure(MissingAuthenticationToken, 403, "Missing Authentication Token");

    // JSON-protocol services answer a malformed signature with 400 (AWS's common errors list
    // IncompleteSignature as 400); only API Gateway fronted endpoints use 403 for it.
    public static SigV4Result Incomplete(string message) => SigV4Result.Failure(IncompleteSignature, 400, message);

    public static SigV4Result MissingParts(bool credential, bool signature, bool signedHeaders, bool date, string authorization)
    {
        var message = string.Concat(
            credential ? "Authorization header requires 'Credential' parameter. " : "",
            signature ? "Authorization header requires 'Signature' parameter. " : "",
            signedHeaders ? "Authorization header requires 'SignedHeaders' parameter. " : "",
            date ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " : "",
            "Authorization=",
            Echo(authorization));
        return Incomplete(message);
    }

    public static SigV4Result NotKeyValuePair(string pair, string authorization) =>
        Incomplete($"'{Echo(pair)}' not a valid key=value pair (missing equal-sign) in Authorization header: '{Echo(authorization)}'.");

    public static SigV4Result UnknownKey() =>
        SigV4Result.Failure(UnrecognizedClient, 403, "The security token included in the request is invalid.");

    public static SigV4Result Mismatch() => Invalid(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");

    public static SigV4Result Expired(DateTimeOffset signed, DateTimeOffset now, TimeSpan skew) => Invalid(
        $"Signature expired: {Format(signed)} is now earlier than {Format(now - skew)} ({Format(now)} - {skew.TotalMinutes:0} min.)");

    public static SigV4Result NotYetCurrent(DateTimeOffset signed, DateTimeOffset now, TimeSpan skew) => Invalid(
        $"Signature not yet current: {Format(signed)} is still later than {Format(now + skew)} ({Format(now)} + {skew.TotalMinutes:0} min.)");

    public static SigV4Result PresignedExpired(DateTimeOffset expiry, DateTimeOffset now) => Invalid(
        $"Signature expired: {Format(expiry)} is now earlier than {Format(now)}");

    public static SigV4Result Invalid(string message) => SigV4Result.Failure(InvalidSignature, 403, message);

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Echo(string text) => text.Length <= MaxEchoedLength ? text : string.Concat(text.AsSpan(0, MaxEchoedLength), "…");
}
