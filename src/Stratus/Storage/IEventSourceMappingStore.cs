namespace Stratus.Storage;

/// <summary>Event source mappings, kept so that they resume after a restart.</summary>
public interface IEventSourceMappingStore
{
    IReadOnlyList<EventSourceMapping> All();

    void Put(EventSourceMapping mapping);

    bool Delete(string uuid);
}

/// <summary>
/// One mapping from a queue to a function, as Lambda models it. <see cref="LastModified"/> is Unix
/// milliseconds; <see cref="MaximumConcurrency"/> is null when no ScalingConfig was given.
/// </summary>
public sealed record EventSourceMapping(
    string Uuid,
    string FunctionName,
    string EventSourceArn,
    int BatchSize,
    int MaximumBatchingWindowInSeconds,
    bool ReportBatchItemFailures,
    int? MaximumConcurrency,
    bool Enabled,
    long LastModified);
