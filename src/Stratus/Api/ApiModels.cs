using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stratus.Api;

// Request and response bodies of the Lambda control API, named as the service model names them.
// Fields Stratus accepts but does not act on yet are kept so that real clients' requests parse;
// anything not listed here is rejected as unknown input.

internal sealed class FunctionCodeInput
{
    public string? ZipFile { get; set; }

    public string? S3Bucket { get; set; }

    public string? S3Key { get; set; }

    public string? S3ObjectVersion { get; set; }

    public string? ImageUri { get; set; }

    public string? SourceKMSKeyArn { get; set; }
}

internal sealed class EnvironmentInput
{
    public Dictionary<string, string>? Variables { get; set; }
}

internal sealed class CreateFunctionRequest
{
    public string? FunctionName { get; set; }

    public string? Runtime { get; set; }

    public string? Role { get; set; }

    public string? Handler { get; set; }

    public string? Description { get; set; }

    public int? Timeout { get; set; }

    public int? MemorySize { get; set; }

    public bool? Publish { get; set; }

    public FunctionCodeInput? Code { get; set; }

    public EnvironmentInput? Environment { get; set; }

    public string? PackageType { get; set; }

    public List<string>? Architectures { get; set; }

    public Dictionary<string, string>? Tags { get; set; }

    public JsonElement? VpcConfig { get; set; }

    public DeadLetterConfigModel? DeadLetterConfig { get; set; }

    public string? KMSKeyArn { get; set; }

    public JsonElement? TracingConfig { get; set; }

    public List<string>? Layers { get; set; }

    public JsonElement? FileSystemConfigs { get; set; }

    public JsonElement? ImageConfig { get; set; }

    public string? CodeSigningConfigArn { get; set; }

    public EphemeralStorageInput? EphemeralStorage { get; set; }

    public JsonElement? SnapStart { get; set; }

    public JsonElement? LoggingConfig { get; set; }
}

internal sealed class UpdateFunctionConfigurationRequest
{
    public string? Runtime { get; set; }

    public string? Role { get; set; }

    public string? Handler { get; set; }

    public string? Description { get; set; }

    public int? Timeout { get; set; }

    public int? MemorySize { get; set; }

    public EnvironmentInput? Environment { get; set; }

    public string? RevisionId { get; set; }

    public JsonElement? VpcConfig { get; set; }

    public DeadLetterConfigModel? DeadLetterConfig { get; set; }

    public string? KMSKeyArn { get; set; }

    public JsonElement? TracingConfig { get; set; }

    public List<string>? Layers { get; set; }

    public JsonElement? FileSystemConfigs { get; set; }

    public JsonElement? ImageConfig { get; set; }

    public EphemeralStorageInput? EphemeralStorage { get; set; }

    public JsonElement? SnapStart { get; set; }

    public JsonElement? LoggingConfig { get; set; }
}

internal sealed class UpdateFunctionCodeRequest
{
    public string? ZipFile { get; set; }

    public string? S3Bucket { get; set; }

    public string? S3Key { get; set; }

    public string? S3ObjectVersion { get; set; }

    public string? ImageUri { get; set; }

    public bool? Publish { get; set; }

    public bool? DryRun { get; set; }

    public string? RevisionId { get; set; }

    public List<string>? Architectures { get; set; }

    public string? SourceKMSKeyArn { get; set; }
}

internal sealed record EnvironmentOutput(Dictionary<string, string> Variables);

internal sealed record FunctionConfigurationOutput
{
    public required string FunctionName { get; init; }

    public required string FunctionArn { get; init; }

    public required string Runtime { get; init; }

    public required string Role { get; init; }

    public required string Handler { get; init; }

    public required long CodeSize { get; init; }

    public required string Description { get; init; }

    public required int Timeout { get; init; }

    public required int MemorySize { get; init; }

    public required string LastModified { get; init; }

    public required string CodeSha256 { get; init; }

    public required string Version { get; init; }

    public EnvironmentOutput? Environment { get; init; }

    public DeadLetterConfigModel? DeadLetterConfig { get; init; }

    public required string RevisionId { get; init; }

    public string State { get; init; } = "Active";

    public string LastUpdateStatus { get; init; } = "Successful";

    public string PackageType { get; init; } = "Zip";

    public IReadOnlyList<string> Architectures { get; init; } = ["x86_64"];

    public EphemeralStorageOutput EphemeralStorage { get; init; } = new(512);

    public TracingConfigOutput TracingConfig { get; init; } = new("PassThrough");

    public LoggingConfigOutput LoggingConfig { get; init; } = new("Text", null!);
}

internal sealed record EphemeralStorageOutput(int Size);

/// <summary>Lambda's DeadLetterConfig, in requests and in the configuration returned.</summary>
internal sealed class DeadLetterConfigModel
{
    public string? TargetArn { get; set; }
}

internal sealed class DestinationModel
{
    public string? Destination { get; set; }
}

internal sealed class DestinationConfigModel
{
    public DestinationModel? OnSuccess { get; set; }

    public DestinationModel? OnFailure { get; set; }
}

/// <summary>Put/UpdateFunctionEventInvokeConfig's body.</summary>
internal sealed class EventInvokeConfigRequest
{
    public int? MaximumRetryAttempts { get; set; }

    public int? MaximumEventAgeInSeconds { get; set; }

    public DestinationConfigModel? DestinationConfig { get; set; }
}

/// <summary>A FunctionEventInvokeConfig as Lambda returns it; LastModified in epoch seconds.</summary>
internal sealed record EventInvokeConfigOutput(double LastModified, string FunctionArn, int MaximumRetryAttempts, int MaximumEventAgeInSeconds, DestinationConfigModel DestinationConfig);

internal sealed record ListEventInvokeConfigsResponse(IReadOnlyList<EventInvokeConfigOutput> FunctionEventInvokeConfigs, string? NextMarker);

internal sealed class EphemeralStorageInput
{
    public int? Size { get; set; }
}

internal sealed record TracingConfigOutput(string Mode);

internal sealed record LoggingConfigOutput(string LogFormat, string LogGroup);

internal sealed record FunctionCodeLocation(string RepositoryType, string Location);

internal sealed record GetFunctionResponse(FunctionConfigurationOutput Configuration, FunctionCodeLocation Code, Dictionary<string, string> Tags)
{
    public FunctionConcurrency? Concurrency { get; init; }
}

internal sealed class PutNetworkRequest
{
    public bool? NetworkAccess { get; set; }
}

/// <summary>Whether a function's instances reach the network, and whether this server can hold them to it.</summary>
internal sealed record NetworkOutput(string FunctionName, bool NetworkAccess, bool Enforced);

internal sealed class PutProvisionedConcurrencyRequest
{
    public int? ProvisionedConcurrentExecutions { get; set; }
}

/// <summary>Provisioned concurrency in the shape of Lambda's GetProvisionedConcurrencyConfig.</summary>
internal sealed record ProvisionedConcurrencyOutput(
    int RequestedProvisionedConcurrentExecutions,
    int AvailableProvisionedConcurrentExecutions,
    int AllocatedProvisionedConcurrentExecutions,
    string Status,
    string LastModified);

internal sealed record ProvisionedConcurrencyConfigItem(
    string FunctionArn,
    int RequestedProvisionedConcurrentExecutions,
    int AvailableProvisionedConcurrentExecutions,
    int AllocatedProvisionedConcurrentExecutions,
    string Status,
    string LastModified);

internal sealed record ListProvisionedConcurrencyConfigsResponse(IReadOnlyList<ProvisionedConcurrencyConfigItem> ProvisionedConcurrencyConfigs, string? NextMarker);

internal sealed class PutFunctionConcurrencyRequest
{
    public int? ReservedConcurrentExecutions { get; set; }
}

/// <summary>Reserved concurrency as Lambda shows it; <c>{}</c> when the function has none.</summary>
internal sealed record FunctionConcurrency(int? ReservedConcurrentExecutions);

internal sealed record ListFunctionsResponse(IReadOnlyList<FunctionConfigurationOutput> Functions, string? NextMarker);

internal sealed record AccountLimit(long TotalCodeSize, long CodeSizeUnzipped, long CodeSizeZipped, int ConcurrentExecutions, int UnreservedConcurrentExecutions);

internal sealed record AccountUsage(long TotalCodeSize, long FunctionCount);

internal sealed record AccountSettingsResponse(AccountLimit AccountLimit, AccountUsage AccountUsage);

internal sealed record LogRecordOutput(string RequestId, string Timestamp, string Message);

internal sealed record LogsResponse(string FunctionName, IReadOnlyList<LogRecordOutput> Events);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(CreateFunctionRequest))]
[JsonSerializable(typeof(UpdateFunctionConfigurationRequest))]
[JsonSerializable(typeof(UpdateFunctionCodeRequest))]
[JsonSerializable(typeof(FunctionConfigurationOutput))]
[JsonSerializable(typeof(GetFunctionResponse))]
[JsonSerializable(typeof(ListFunctionsResponse))]
[JsonSerializable(typeof(AccountSettingsResponse))]
[JsonSerializable(typeof(LogsResponse))]
[JsonSerializable(typeof(PutFunctionConcurrencyRequest))]
[JsonSerializable(typeof(FunctionConcurrency))]
[JsonSerializable(typeof(PutProvisionedConcurrencyRequest))]
[JsonSerializable(typeof(PutNetworkRequest))]
[JsonSerializable(typeof(NetworkOutput))]
[JsonSerializable(typeof(ProvisionedConcurrencyOutput))]
[JsonSerializable(typeof(ListProvisionedConcurrencyConfigsResponse))]
[JsonSerializable(typeof(Execution.FunctionStatsSnapshot))]
[JsonSerializable(typeof(Execution.EngineSnapshot))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(EventInvokeConfigRequest))]
[JsonSerializable(typeof(EventInvokeConfigOutput))]
[JsonSerializable(typeof(ListEventInvokeConfigsResponse))]
internal sealed partial class ApiJson : JsonSerializerContext;
