namespace Stratus.Api;

/// <summary>
/// An error with a Lambda error code and HTTP status. The front door turns it into Lambda's error
/// shape: the <c>x-amzn-ErrorType</c> header and a <c>{"Type","Message"}</c> body.
/// </summary>
public sealed class LambdaException : Exception
{
    public LambdaException(int statusCode, string errorType, string message)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorType = errorType;
    }

    public int StatusCode { get; }

    public string ErrorType { get; }

    /// <summary>Seconds a throttled client should wait, sent as <c>Retry-After</c>.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Lambda's <c>Reason</c> field on throttling errors.</summary>
    public string? Reason { get; init; }

    public static LambdaException NotFound(string message) => new(404, "ResourceNotFoundException", message);

    public static LambdaException Conflict(string message) => new(409, "ResourceConflictException", message);

    public static LambdaException InvalidParameter(string message) => new(400, "InvalidParameterValueException", message);

    public static LambdaException InvalidContent(string message) => new(400, "InvalidRequestContentException", message);

    public static LambdaException TooLarge(string message) => new(413, "RequestTooLargeException", message);

    public static LambdaException PreconditionFailed(string message) => new(412, "PreconditionFailedException", message);

    public static LambdaException UnsupportedMediaType(string message) => new(415, "UnsupportedMediaTypeException", message);

    public static LambdaException Service(string message) => new(500, "ServiceException", message);

    public static LambdaException Throttled(string reason, string message) =>
        new(429, "TooManyRequestsException", message) { Reason = reason, RetryAfterSeconds = 1 };
}
