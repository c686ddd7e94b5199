using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stratus.Events.Mappings;

// Lambda's event source mapping bodies, named as the service model names them. Settings that apply
// to other event sources are read so a request parses, and refused when set.

internal sealed class ScalingConfigInput
{
    public int? MaximumConcurrency { get; set; }
}

internal sealed class EventSourceMappingRequest
{
    public string? FunctionName { get; set; }

    public string? EventSourceArn { get; set; }

    public bool? Enabled { get; set; }

    public int? BatchSize { get; set; }

    public int? MaximumBatchingWindowInSeconds { get; set; }

    public List<string>? FunctionResponseTypes { get; set; }

    public ScalingConfigInput? ScalingConfig { get; set; }

    public string? StartingPosition { get; set; }

    public JsonElement? StartingPositionTimestamp { get; set; }

    public JsonElement? FilterCriteria { get; set; }

    public JsonElement? DestinationConfig { get; set; }

    public int? MaximumRecordAgeInSeconds { get; set; }

    public bool? BisectBatchOnFunctionError { get; set; }

    public int? MaximumRetryAttempts { get; set; }

    public int? ParallelizationFactor { get; set; }

    public int? TumblingWindowInSeconds { get; set; }

    public Dictionary<string, string>? Tags { get; set; }

    public string? KMSKeyArn { get; set; }

    public JsonElement? MetricsConfig { get; set; }
}

internal sealed record ScalingConfigOutput(int? MaximumConcurrency);

internal sealed record EventSourceMappingOutput(
    string UUID,
    int BatchSize,
    int MaximumBatchingWindowInSeconds,
    string EventSourceArn,
    string FunctionArn,
    double LastModified,
    string State,
    string StateTransitionReason,
    IReadOnlyList<string> FunctionResponseTypes,
    ScalingConfigOutput? ScalingConfig,
    string EventSourceMappingArn);

internal sealed record ListEventSourceMappingsResponse(IReadOnlyList<EventSourceMappingOutput> EventSourceMappings, string? NextMarker);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(EventSourceMappingRequest))]
[JsonSerializable(typeof(EventSourceMappingOutput))]
[JsonSerializable(typeof(ListEventSourceMappingsResponse))]
internal sealed partial class MappingJson : JsonSerializerContext;
