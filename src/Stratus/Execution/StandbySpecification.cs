using System.Text.Json.Serialization;

namespace Stratus.Execution;

/// <summary>What a standby runtime reads (one JSON line on stdin) to become an instance.</summary>
internal sealed class StandbySpecification
{
    [JsonPropertyName("env")]
    public required Dictionary<string, string> Environment { get; init; }

    [JsonPropertyName("cwd")]
    public required string WorkingDirectory { get; init; }

    [JsonPropertyName("socket")]
    public string? Socket { get; init; }
}

[JsonSerializable(typeof(StandbySpecification))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class StandbySpecificationContext : JsonSerializerContext;
