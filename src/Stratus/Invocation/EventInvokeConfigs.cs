using System.Collections.Concurrent;
using Stratus.Api;
using Stratus.Functions;
using Stratus.Storage;

namespace Stratus.Invocation;

/// <summary>
/// The functions' event invoke configurations: validated, stored durably, served from memory to the
/// dispatcher, and removed with their function.
/// </summary>
public sealed class EventInvokeConfigs
{
    private readonly IEventInvokeConfigStore _store;
    private readonly FunctionRegistry _registry;
    private readonly ConcurrentDictionary<(string Function, string Qualifier), EventInvokeConfig> _configs = new();
    private readonly Lock _writeLock = new();

    public EventInvokeConfigs(IEventInvokeConfigStore store, FunctionRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(registry);
        _store = store;
        _registry = registry;
        foreach (var config in store.LoadAll())
        {
            _configs[(config.FunctionName, config.Qualifier)] = config;
        }

        registry.Changed += OnFunctionChanged;
    }

    /// <summary>The configuration the dispatcher applies: the stored one or Lambda's defaults.</summary>
    public EventInvokeConfig For(string functionName, string? qualifier) =>
        _configs.TryGetValue((functionName, qualifier ?? "$LATEST"), out var config) ? config : EventInvokeConfig.Default(functionName);

    public EventInvokeConfig? Find(string functionName, string qualifier) =>
        _configs.TryGetValue((functionName, qualifier), out var config) ? config : null;

    public IReadOnlyList<EventInvokeConfig> List(string functionName) =>
        [.. _configs.Values.Where(c => c.FunctionName == functionName).OrderBy(c => c.Qualifier, StringComparer.Ordinal)];

    /// <summary>Stores <paramref name="config"/> after checking it as Lambda does.</summary>
    public EventInvokeConfig Save(EventInvokeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validate(config);
        lock (_writeLock)
        {
            // The function may have gone between the caller's lookup and here: nothing is stored for it then.
            if (!_registry.TryGet(config.FunctionName, out var function))
            {
                throw LambdaException.NotFound($"Function not found: {config.FunctionName}");
            }

            // A destination in another account would hand this account's events to another tenant.
            SameAccount(config.OnSuccess, "OnSuccess", function.AccountId);
            SameAccount(config.OnFailure, "OnFailure", function.AccountId);

            _store.Save(config);
            _configs[(config.FunctionName, config.Qualifier)] = config;
        }

        return config;
    }

    public bool Delete(string functionName, string qualifier)
    {
        lock (_writeLock)
        {
            _store.Delete(functionName, qualifier);
            return _configs.TryRemove((functionName, qualifier), out _);
        }
    }

    private void OnFunctionChanged(string name)
    {
        if (_registry.TryGet(name, out _))
        {
            return;
        }

        lock (_writeLock)
        {
            _store.Delete(name, null);
            foreach (var key in _configs.Keys.Where(k => k.Function == name))
            {
                _configs.TryRemove(key, out _);
            }
        }
    }

    private static void Validate(EventInvokeConfig config)
    {
        if (config.MaximumRetryAttempts is < 0 or > 2)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{config.MaximumRetryAttempts}' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2");
        }

        if (config.MaximumEventAgeInSeconds is < EventInvokeConfig.MinimumEventAgeInSeconds or > EventInvokeConfig.DefaultMaximumEventAgeInSeconds)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{config.MaximumEventAgeInSeconds}' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between {EventInvokeConfig.MinimumEventAgeInSeconds} and {EventInvokeConfig.DefaultMaximumEventAgeInSeconds}");
        }

        ValidateDestination(config.OnSuccess, "OnSuccess");
        ValidateDestination(config.OnFailure, "OnFailure");
    }

    private static void SameAccount(string? arn, string field, string accountId)
    {
        if (arn is not null && arn.Split(':') is { Length: >= 6 } parts && parts[4] != accountId)
        {
            throw LambdaException.InvalidParameter($"The provided destination config DestinationConfig.{field}.Destination is invalid: '{arn}' is not in account {accountId}, the function's own.");
        }
    }

    private static void ValidateDestination(string? arn, string field)
    {
        if (arn is not null && AsyncTarget.TryParse(arn) is null)
        {
            throw LambdaException.InvalidParameter($"The provided destination config DestinationConfig.{field}.Destination is invalid: '{arn}' is neither a function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME) nor a queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME).");
        }
    }
}
