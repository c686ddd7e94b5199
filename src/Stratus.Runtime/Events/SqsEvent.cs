using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>A batch of queue messages from an event source mapping.</summary>
public sealed class SqsEvent
{
    [JsonPropertyName("Records")]
    public List<SqsMessage> Records { get; set; } = [];
}
