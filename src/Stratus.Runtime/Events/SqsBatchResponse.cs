using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>The reply of a function whose mapping has ReportBatchItemFailures: only the listed messages return to the queue.</summary>
public sealed class SqsBatchResponse
{
    [JsonPropertyName("batchItemFailures")]
    public List<SqsBatchItemFailure> BatchItemFailures { get; set; } = [];
}
