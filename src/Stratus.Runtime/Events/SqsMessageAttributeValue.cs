using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>A message attribute (string, number or binary).</summary>
public sealed class SqsMessageAttributeValue
{
    [JsonPropertyName("stringValue")]
    public string? StringValue { get; set; }

    [JsonPropertyName("binaryValue")]
    public string? BinaryValue { get; set; }

    [JsonPropertyName("stringListValues")]
    public List<string>? StringListValues { get; set; }

    [JsonPropertyName("binaryListValues")]
    public List<string>? BinaryListValues { get; set; }

    [JsonPropertyName("dataType")]
    public string? DataType { get; set; }
}
