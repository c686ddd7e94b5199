using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>The envelope a schedule sends (EventBridge's "Scheduled Event").</summary>
public sealed class ScheduledEvent
{
    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("detail-type")]
    public string? DetailType { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }

    [JsonPropertyName("account")]
    public string? Account { get; set; }

    [JsonPropertyName("time")]
    public DateTimeOffset Time { get; set; }

    [JsonPropertyName("region")]
    public string? Region { get; set; }

    [JsonPropertyName("resources")]
    public List<string>? Resources { get; set; }

    [JsonPropertyName("detail")]
    public System.Text.Json.JsonElement? Detail { get; set; }
}
