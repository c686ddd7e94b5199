using System.Text.Json.Serialization;
using Stratus.Events.Urls;

namespace Stratus.Api;

// Bodies of Create/Get/Update/Delete/ListFunctionUrlConfigs, named as the service model names them.

internal sealed class FunctionUrlConfigRequest
{
    public string? AuthType { get; set; }

    public FunctionUrlCors? Cors { get; set; }

    public string? InvokeMode { get; set; }
}

internal sealed class FunctionUrlConfigOutput
{
    public required string FunctionUrl { get; init; }

    public required string FunctionArn { get; init; }

    public required string AuthType { get; init; }

    public FunctionUrlCors? Cors { get; init; }

    public required string CreationTime { get; init; }

    /// <summary>Absent from CreateFunctionUrlConfig's answer, as Lambda leaves it out there.</summary>
    public string? LastModifiedTime { get; init; }

    public required string InvokeMode { get; init; }
}

internal sealed record ListFunctionUrlConfigsResponse(IReadOnlyList<FunctionUrlConfigOutput> FunctionUrlConfigs, string? NextMarker);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(FunctionUrlConfigRequest))]
[JsonSerializable(typeof(FunctionUrlConfigOutput))]
[JsonSerializable(typeof(ListFunctionUrlConfigsResponse))]
[JsonSerializable(typeof(FunctionUrlCors))]
[JsonSerializable(typeof(Events.Urls.UrlErrorBody))]
internal sealed partial class FunctionUrlJson : JsonSerializerContext;
