using Microsoft.Extensions.Logging;
using Stratus.Api;
using Stratus.Events.Queues;
using Stratus.Functions;
using Stratus.Invocation;
using Stratus.Storage;

namespace Stratus.Events.Mappings;

/// <summary>
/// The event source mappings from queues to functions: checks and stores them, and keeps one
/// <see cref="QueuePoller"/> running per enabled mapping.
/// </summary>
internal sealed class EventSourceMappings
{
    public const int DefaultBatchSize = 10;
    public const int MaxBatchSize = 10000;
    public const int MaxBatchingWindow = 300;
    public const int MinConcurrency = 2;
    public const int MaxConcurrency = 1000;
    public const string ReportBatchItemFailures = "ReportBatchItemFailures";

    private readonly IEventSourceMappingStore _store;
    private readonly PollerServices _services;
    private readonly Dictionary<string, EventSourceMapping> _mappings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuePoller> _pollers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _stopped;

    public EventSourceMappings(IEventSourceMappingStore store, QueueService queues, FunctionRegistry registry, FunctionMapper mapper, Invoker invoker, TimeProvider time, ILogger<EventSourceMappings> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _services = new PollerServices(queues, registry, mapper, invoker, time, logger);
    }

    public QueueService Queues => _services.Queues;

    internal FunctionMapper Mapper => _services.Mapper;

    public string FunctionArn(EventSourceMapping mapping) => _services.Mapper.Arn(mapping.FunctionName);

    /// <summary>Loads the stored mappings and starts the enabled ones.</summary>
    public void Start()
    {
        lock (_lock)
        {
            foreach (var mapping in _store.All())
            {
                _mappings[mapping.Uuid] = mapping;
                StartPollerLocked(mapping);
            }
        }
    }

    public EventSourceMapping Create(EventSourceMappingRequest request)
    {
        var source = request.EventSourceArn ?? throw Required("eventSourceArn");
        var function = ResolveFunction(request.FunctionName ?? throw Required("functionName"));
        var mapping = Apply(
            new EventSourceMapping(Guid.NewGuid().ToString(), function.Name, source, DefaultBatchSize, 0, false, null, true, 0),
            request);
        lock (_lock)
        {
            if (_mappings.Values.FirstOrDefault(m => m.FunctionName == mapping.FunctionName && m.EventSourceArn == source) is { } existing)
            {
                throw LambdaException.Conflict($"An event source mapping with SQS arn (\" {source} \") and function (\" {mapping.FunctionName} \") already exists. Please update or delete the existing mapping with UUID {existing.Uuid}");
            }

            _store.Put(mapping);
            _mappings[mapping.Uuid] = mapping;
            StartPollerLocked(mapping);
        }

        return mapping;
    }

    public EventSourceMapping Get(string uuid)
    {
        lock (_lock)
        {
            return _mappings.GetValueOrDefault(uuid) ?? throw NotFound(uuid);
        }
    }

    public IReadOnlyList<EventSourceMapping> List(string? functionName, string? sourceArn)
    {
        var name = functionName is { Length: > 0 } ? KeyOf(Functions.FunctionArn.Parse(functionName)) : null;
        lock (_lock)
        {
            return [.. _mappings.Values
                .Where(m => (name is null || m.FunctionName == name) && (string.IsNullOrEmpty(sourceArn) || m.EventSourceArn == sourceArn))
                .OrderBy(m => m.Uuid, StringComparer.Ordinal)];
        }
    }

    public async Task<EventSourceMapping> UpdateAsync(string uuid, EventSourceMappingRequest request)
    {
        if (request.EventSourceArn is not null)
        {
            throw LambdaException.InvalidParameter("The event source of a mapping cannot be changed: create another mapping.");
        }

        QueuePoller? previous;
        EventSourceMapping updated;
        lock (_lock)
        {
            var current = _mappings.GetValueOrDefault(uuid) ?? throw NotFound(uuid);
            var function = request.FunctionName is { } fn ? ResolveFunction(fn).Name : current.FunctionName;
            updated = Apply(current with { FunctionName = function }, request);
            _store.Put(updated);
            _mappings[uuid] = updated;
            _pollers.Remove(uuid, out previous);
        }

        // The new settings take effect once the batches of the old ones are done.
        if (previous is not null)
        {
            await previous.DisposeAsync();
        }

        lock (_lock)
        {
            if (_mappings.TryGetValue(uuid, out var latest) && latest == updated)
            {
                StartPollerLocked(updated);
            }
        }

        return updated;
    }

    public async Task<EventSourceMapping> DeleteAsync(string uuid)
    {
        EventSourceMapping mapping;
        QueuePoller? poller;
        lock (_lock)
        {
            mapping = _mappings.GetValueOrDefault(uuid) ?? throw NotFound(uuid);
            _store.Delete(uuid);
            _mappings.Remove(uuid);
            _pollers.Remove(uuid, out poller);
        }

        if (poller is not null)
        {
            await poller.DisposeAsync();
        }

        return mapping;
    }

    public async ValueTask StopAsync()
    {
        QueuePoller[] pollers;
        lock (_lock)
        {
            _stopped = true;
            pollers = [.. _pollers.Values];
            _pollers.Clear();
        }

        foreach (var poller in pollers)
        {
            await poller.DisposeAsync();
        }
    }

    private void StartPollerLocked(EventSourceMapping mapping)
    {
        if (_stopped || !mapping.Enabled || !_services.Queues.TryParseArn(mapping.EventSourceArn, out var queue))
        {
            return;
        }

        var poller = new QueuePoller(mapping, queue, _services);
        _pollers[mapping.Uuid] = poller;
        poller.Start();
    }

    /// <summary>Applies the settings a request carries to a mapping, checking each as Lambda does.</summary>
    private EventSourceMapping Apply(EventSourceMapping mapping, EventSourceMappingRequest request)
    {
        RefuseOtherSources(request);
        // A queue of another account would let this one drain a tenant's messages.
        if (!_services.Queues.TryParseArn(mapping.EventSourceArn, out var queueName)
            || _services.Mapper.OwnerOf(queueName) != _services.Mapper.OwnerOf(mapping.FunctionName))
        {
            throw LambdaException.InvalidParameter($"Stratus maps its own SQS queues to functions: {mapping.EventSourceArn} is not the ARN of one (arn:aws:sqs:{_services.Queues.Region}:{_services.Queues.AccountId}:<queue>).");
        }

        var queue = _services.Queues.Exists(mapping.EventSourceArn)
            ? _services.Queues.Get(queueName)
            : throw LambdaException.InvalidParameter("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.");
        var batchSize = request.BatchSize ?? mapping.BatchSize;
        var window = request.MaximumBatchingWindowInSeconds ?? mapping.MaximumBatchingWindowInSeconds;
        if (batchSize is < 1 or > MaxBatchSize)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{batchSize}' at 'batchSize' failed to satisfy constraint: Member must have value between 1 and {MaxBatchSize}");
        }

        if (window is < 0 or > MaxBatchingWindow)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{window}' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value between 0 and {MaxBatchingWindow}");
        }

        if (batchSize > 10 && window < 1)
        {
            throw LambdaException.InvalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
        }

        var report = mapping.ReportBatchItemFailures;
        if (request.FunctionResponseTypes is { } types)
        {
            if (types.Any(t => t != ReportBatchItemFailures))
            {
                throw LambdaException.InvalidParameter($"1 validation error detected: Value '[{string.Join(", ", types)}]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy enum value set: [{ReportBatchItemFailures}]");
            }

            report = types.Count > 0;
        }

        var concurrency = request.ScalingConfig is { } scaling ? scaling.MaximumConcurrency : mapping.MaximumConcurrency;
        if (concurrency is < MinConcurrency or > MaxConcurrency)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{concurrency}' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value between {MinConcurrency} and {MaxConcurrency}");
        }

        var function = ResolveFunction(mapping.FunctionName);
        if (queue.VisibilityTimeout < function.Timeout)
        {
            throw LambdaException.InvalidParameter($"Queue visibility timeout: {queue.VisibilityTimeout} seconds is less than Function timeout: {function.Timeout} seconds");
        }

        return mapping with
        {
            BatchSize = batchSize,
            MaximumBatchingWindowInSeconds = window,
            ReportBatchItemFailures = report,
            MaximumConcurrency = concurrency,
            Enabled = request.Enabled ?? mapping.Enabled,
            LastModified = _services.Time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
    }

    private static void RefuseOtherSources(EventSourceMappingRequest request)
    {
        string? setting =
            request.StartingPosition is not null || request.StartingPositionTimestamp is not null ? "StartingPosition"
            : request.FilterCriteria is not null ? "FilterCriteria"
            : request.DestinationConfig is not null ? "DestinationConfig"
            : request.MaximumRecordAgeInSeconds is not null ? "MaximumRecordAgeInSeconds"
            : request.BisectBatchOnFunctionError is not null ? "BisectBatchOnFunctionError"
            : request.MaximumRetryAttempts is not null ? "MaximumRetryAttempts"
            : request.ParallelizationFactor is not null ? "ParallelizationFactor"
            : request.TumblingWindowInSeconds is not null ? "TumblingWindowInSeconds"
            : request.KMSKeyArn is not null ? "KMSKeyArn"
            : request.MetricsConfig is not null ? "MetricsConfig"
            : null;
        if (setting is not null)
        {
            throw LambdaException.InvalidParameter($"Unsupported parameter for SQS event sources in Stratus: {setting}.");
        }
    }

    private FunctionDefinition ResolveFunction(string functionName)
    {
        var reference = Functions.FunctionArn.Parse(functionName);
        if (reference.Qualifier is not null and not "$LATEST")
        {
            throw LambdaException.NotFound($"Function not found: {_services.Mapper.Arn(reference.Name, reference.Qualifier)}");
        }

        var key = KeyOf(reference);
        return _services.Registry.Get(key, _services.Mapper.Arn(key));
    }

    /// <summary>The registry name of a function reference; the API layer has already limited it to the caller's account.</summary>
    private string KeyOf(Functions.FunctionArn reference) =>
        reference.AccountId is { } account ? _services.Mapper.KeyOf(account, reference.Name) : reference.Name;

    private static LambdaException NotFound(string uuid) =>
        LambdaException.NotFound($"The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: {uuid})");

    private static LambdaException Required(string name) =>
        LambdaException.InvalidParameter($"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null");
}
