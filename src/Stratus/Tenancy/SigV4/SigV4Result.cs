namespace Stratus.Tenancy.SigV4;

/// <summary>
/// The outcome of a signature check: the caller's account and key when valid, otherwise AWS's error code,
/// HTTP status and message, ready to be written in the protocol's own error shape.
/// </summary>
public sealed class SigV4Result
{
    private SigV4Result(bool isValid, string? accountId, string? accessKeyId, string? errorCode, int statusCode, string? message)
    {
        IsValid = isValid;
        AccountId = accountId;
        AccessKeyId = accessKeyId;
        ErrorCode = errorCode;
        StatusCode = statusCode;
        Message = message;
    }

    public bool IsValid { get; }

    public string? AccountId { get; }

    public string? AccessKeyId { get; }

    /// <summary>AWS's error code, e.g. <c>InvalidSignatureException</c>; null when valid.</summary>
    public string? ErrorCode { get; }

    /// <summary>200 when valid, else the status AWS answers with.</summary>
    public int StatusCode { get; }

    public string? Message { get; }

    public static SigV4Result Valid(string accountId, string accessKeyId) => new(true, accountId, accessKeyId, null, 200, null);

    public static SigV4Result Failure(string errorCode, int statusCode, string message) => new(false, null, null, errorCode, statusCode, message);

    public override string ToString() => IsValid ? $"valid ({AccountId}, {AccessKeyId})" : $"{StatusCode} {ErrorCode}: {Message}";
}
