using System.Reflection;
using System.Text.Json;

namespace Stratus.Runtime;

/// <summary>Lambda's error shape: <c>{"errorType","errorMessage","stackTrace":[…]}</c>.</summary>
internal static class ErrorBody
{
    /// <summary>The exception the handler threw, not the wrappers reflection and tasks put around it.</summary>
    public static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case TargetInvocationException { InnerException: { } inner }:
                    exception = inner;
                    break;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    exception = aggregate.InnerExceptions[0];
                    break;
                default:
                    return exception;
            }
        }
    }

    public static byte[] Write(string errorType, Exception exception) =>
        Write(errorType, exception.Message, exception.StackTrace);

    public static byte[] Write(string errorType, string message, string? stackTrace)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("errorType", errorType);
            json.WriteString("errorMessage", message);
            json.WriteStartArray("stackTrace");
            foreach (var line in (stackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                json.WriteStringValue(line);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
