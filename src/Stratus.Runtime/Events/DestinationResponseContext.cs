using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>How the invocation ended.</summary>
public sealed class DestinationResponseContext
{
    [JsonPropertyName("statusCode")]
    public int StatusCode { get; set; }

    [JsonPropertyName("executedVersion")]
    public string? ExecutedVersion { get; set; }

    [JsonPropertyName("functionError")]
    public string? FunctionError { get; set; }
}
