using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Stratus.Invocation;

/// <summary>
/// The record Lambda sends to a destination: <c>{"version":"1.0","timestamp","requestContext",
/// "requestPayload","responseContext","responsePayload"}</c>. Payloads are embedded as JSON when they
/// are JSON, as strings otherwise.
/// </summary>
internal static class DestinationRecord
{
    public const string Success = "Success";
    public const string RetriesExhausted = "RetriesExhausted";
    public const string EventAgeExceeded = "EventAgeExceeded";

    /// <param name="response">What the last invoke returned; null when the function never ran.</param>
    public static byte[] Create(DateTimeOffset timestamp, string requestId, string functionArn, string condition, int invokeCount, ReadOnlyMemory<byte> requestPayload, Execution.InvocationResult? response, string executedVersion)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + requestPayload.Length + (response?.Payload.Length ?? 0));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteString("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteStartObject("requestContext");
            json.WriteString("requestId", requestId);
            json.WriteString("functionArn", functionArn);
            json.WriteString("condition", condition);
            json.WriteNumber("approximateInvokeCount", invokeCount);
            json.WriteEndObject();
            json.WritePropertyName("requestPayload");
            WritePayload(json, requestPayload);
            if (response is not null)
            {
                json.WriteStartObject("responseContext");
                json.WriteNumber("statusCode", 200);
                json.WriteString("executedVersion", executedVersion);
                if (response.FunctionError is { } error)
                {
                    json.WriteString("functionError", error);
                }

                json.WriteEndObject();
                json.WritePropertyName("responsePayload");
                WritePayload(json, response.Payload);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WritePayload(Utf8JsonWriter json, ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            json.WriteNullValue();
            return;
        }

        try
        {
            json.WriteRawValue(payload.Span, skipInputValidation: false);
        }
        catch (JsonException)
        {
            json.WriteStringValue(System.Text.Encoding.UTF8.GetString(payload.Span));
        }
    }
}
