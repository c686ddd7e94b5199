using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>What an asynchronous invocation's destination receives: the request, its outcome and the function's response.</summary>
public sealed class DestinationRecord
{
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("timestamp")]
    public DateTimeOffset Timestamp { get; set; }

    [JsonPropertyName("requestContext")]
    public DestinationRequestContext? RequestContext { get; set; }

    [JsonPropertyName("requestPayload")]
    public System.Text.Json.JsonElement? RequestPayload { get; set; }

    [JsonPropertyName("responseContext")]
    public DestinationResponseContext? ResponseContext { get; set; }

    [JsonPropertyName("responsePayload")]
    public System.Text.Json.JsonElement? ResponsePayload { get; set; }
}
