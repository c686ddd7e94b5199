using System.Text.Json.Serialization;

namespace Stratus.Api;

// Request and response bodies of Lambda's versions and aliases API, named as the service model names them.

internal sealed class PublishVersionRequest
{
    public string? CodeSha256 { get; set; }

    public string? Description { get; set; }

    public string? RevisionId { get; set; }
}

internal sealed class AliasRoutingConfiguration
{
    public Dictionary<string, double>? AdditionalVersionWeights { get; set; }
}

internal sealed class CreateAliasRequest
{
    public string? Name { get; set; }

    public string? FunctionVersion { get; set; }

    public string? Description { get; set; }

    public AliasRoutingConfiguration? RoutingConfig { get; set; }
}

internal sealed class UpdateAliasRequest
{
    public string? FunctionVersion { get; set; }

    public string? Description { get; set; }

    public AliasRoutingConfiguration? RoutingConfig { get; set; }

    public string? RevisionId { get; set; }
}

internal sealed record AliasConfigurationOutput(
    string AliasArn,
    string Name,
    string FunctionVersion,
    string Description,
    AliasRoutingConfiguration? RoutingConfig,
    string RevisionId);

internal sealed record ListVersionsByFunctionResponse(IReadOnlyList<FunctionConfigurationOutput> Versions, string? NextMarker);

internal sealed record ListAliasesResponse(IReadOnlyList<AliasConfigurationOutput> Aliases, string? NextMarker);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(PublishVersionRequest))]
[JsonSerializable(typeof(CreateAliasRequest))]
[JsonSerializable(typeof(UpdateAliasRequest))]
[JsonSerializable(typeof(AliasConfigurationOutput))]
[JsonSerializable(typeof(ListVersionsByFunctionResponse))]
[JsonSerializable(typeof(ListAliasesResponse))]
internal sealed partial class ReleaseApiJson : JsonSerializerContext;
