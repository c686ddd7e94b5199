using System.Globalization;
using Stratus.Functions;
using Stratus.Hosting;

namespace Stratus.Api;

/// <summary>Shapes stored functions into the responses the AWS clients expect.</summary>
internal sealed class FunctionMapper
{
    private readonly StratusOptions _options;

    public FunctionMapper(StratusOptions options) => _options = options;

    public string Arn(string name, string? qualifier = null) => FunctionArn.Format(_options.Region, _options.AccountId, name, qualifier);

    public FunctionConfigurationOutput Configuration(FunctionDefinition function) => new()
    {
        FunctionName = function.Name,
        FunctionArn = Arn(function.Name),
        Runtime = function.Runtime,
        Role = function.Role,
        Handler = function.Handler,
        CodeSize = function.CodeSize,
        Description = function.Description,
        Timeout = function.Timeout,
        MemorySize = function.MemorySize,
        EphemeralStorage = new EphemeralStorageOutput(function.EphemeralStorageMb),
        LastModified = FormatLastModified(function.LastModified),
        CodeSha256 = function.CodeSha256,
        Version = function.Version,
        Environment = function.Environment.Count == 0 ? null : new EnvironmentOutput(function.Environment.ToDictionary()),
        RevisionId = function.RevisionId,
        DeadLetterConfig = function.DeadLetterTargetArn is { } target ? new DeadLetterConfigModel { TargetArn = target } : null,
        LoggingConfig = new LoggingConfigOutput("Text", "/aws/lambda/" + function.Name),
    };

    /// <summary>Lambda's own timestamp format, e.g. <c>2024-01-01T00:00:00.000+0000</c>.</summary>
    public static string FormatLastModified(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);
}
