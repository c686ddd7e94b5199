using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>Which invocation a destination record is about, and why it was sent.</summary>
public sealed class DestinationRequestContext
{
    [JsonPropertyName("requestId")]
    public string? RequestId { get; set; }

    [JsonPropertyName("functionArn")]
    public string? FunctionArn { get; set; }

    [JsonPropertyName("condition")]
    public string? Condition { get; set; }

    [JsonPropertyName("approximateInvokeCount")]
    public int ApproximateInvokeCount { get; set; }
}
