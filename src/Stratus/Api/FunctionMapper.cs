using System.Globalization;
using Stratus.Functions;
using Stratus.Hosting;

namespace Stratus.Api;

/// <summary>Shapes stored functions into the responses the AWS clients expect.</summary>
internal sealed class FunctionMapper
{
    // Every synchronous Invoke hands its runtime the ARN it was invoked by; the ARNs of functions that
    // exist are kept rather than formatted again each time. Bounded: past the limit it starts over.
    private const int MaxInvokedArns = 4096;

    private readonly StratusOptions _options;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, string? Qualifier), string> _invokedArns = new();

    public FunctionMapper(StratusOptions options) => _options = options;

    /// <summary>The ARN of a function by its registry name (see <see cref="Tenancy.ScopedNames"/>).</summary>
    public string Arn(string name, string? qualifier = null) =>
        FunctionArn.Format(_options.Region, Tenancy.ScopedNames.Owner(name, _options.AccountId), Tenancy.ScopedNames.Display(name), qualifier);

    /// <summary>As <see cref="Arn"/>, for a function (and qualifier) known to exist.</summary>
    public string InvokedArn(string name, string? qualifier)
    {
        if (_invokedArns.TryGetValue((name, qualifier), out var arn))
        {
            return arn;
        }

        if (_invokedArns.Count >= MaxInvokedArns)
        {
            _invokedArns.Clear();
        }

        arn = Arn(name, qualifier);
        _invokedArns.TryAdd((name, qualifier), arn);
        return arn;
    }

    /// <summary>
    /// The registry name of the function a request names: one of the caller's own, or, by an ARN with
    /// another account id, that account's, which only the root account may address. To anyone else a
    /// function of another account does not exist.
    /// </summary>
    public string Scoped(Microsoft.AspNetCore.Http.HttpContext context, FunctionArn reference)
    {
        var caller = Tenancy.CallerExtensions.GetCaller(context);
        var account = reference.AccountId ?? caller.AccountId;
        if (account != caller.AccountId && !caller.IsRoot)
        {
            throw Api.LambdaException.NotFound($"Function not found: {FunctionArn.Format(_options.Region, caller.AccountId, reference.Name, reference.Qualifier)}");
        }

        return Tenancy.ScopedNames.Key(account, reference.Name, _options.AccountId);
    }

    /// <summary>The registry name for a new function of the caller's account.</summary>
    public string Owned(Microsoft.AspNetCore.Http.HttpContext context, string name) =>
        Tenancy.ScopedNames.Key(Tenancy.CallerExtensions.GetCaller(context).AccountId, name, _options.AccountId);

    /// <summary>The registry name of <paramref name="name"/> in <paramref name="accountId"/>.</summary>
    public string KeyOf(string accountId, string name) => Tenancy.ScopedNames.Key(accountId, name, _options.AccountId);

    /// <summary>The account a registry name belongs to.</summary>
    public string OwnerOf(string name) => Tenancy.ScopedNames.Owner(name, _options.AccountId);

    /// <summary>
    /// A function's configuration as Lambda reports it. A published version's ARN carries its number;
    /// <paramref name="qualifier"/> sets the qualifier shown (ListVersionsByFunction shows <c>$LATEST</c>'s).
    /// </summary>
    public FunctionConfigurationOutput Configuration(FunctionDefinition function) =>
        Configuration(function, function.Version == "$LATEST" ? null : function.Version);

    public FunctionConfigurationOutput Configuration(FunctionDefinition function, string? qualifier) => new()
    {
        FunctionName = function.FunctionName,
        FunctionArn = Arn(function.Name, qualifier),
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
        LoggingConfig = new LoggingConfigOutput("Text", "/aws/lambda/" + function.FunctionName),
    };

    /// <summary>Lambda's own timestamp format, e.g. <c>2024-01-01T00:00:00.000+0000</c>.</summary>
    public static string FormatLastModified(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);
}
