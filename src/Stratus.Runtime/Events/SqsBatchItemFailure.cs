using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>A message of the batch that failed.</summary>
public sealed class SqsBatchItemFailure
{
    [JsonPropertyName("itemIdentifier")]
    public string? ItemIdentifier { get; set; }
}
