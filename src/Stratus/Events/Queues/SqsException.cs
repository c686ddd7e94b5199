namespace Stratus.Events.Queues;

/// <summary>
/// An SQS error: the JSON protocol's <c>__type</c> (<c>com.amazonaws.sqs#Code</c>), the query code the
/// <c>x-amzn-query-error</c> header carries, and the HTTP status.
/// </summary>
public sealed class SqsException : Exception
{
    public SqsException(string code, string message, string? queryCode = null, int statusCode = 400)
        : base(message)
    {
        Code = code;
        QueryCode = queryCode ?? code;
        StatusCode = statusCode;
    }

    public string Code { get; }

    public string QueryCode { get; }

    public int StatusCode { get; }

    public static SqsException QueueDoesNotExist() =>
        new("QueueDoesNotExist", "The specified queue does not exist.", "AWS.SimpleQueueService.NonExistentQueue");

    public static SqsException InvalidParameter(string message) => new("InvalidParameterValue", message);

    public static SqsException Missing(string parameter) =>
        new("MissingParameter", $"The request must contain the parameter {parameter}.");

    public static SqsException InvalidAttributeName(string message) => new("InvalidAttributeName", message);

    public static SqsException InvalidAttributeValue(string message) => new("InvalidAttributeValue", message);

    public static SqsException Batch(string code, string message) => new(code, message, "AWS.SimpleQueueService." + code);
}
