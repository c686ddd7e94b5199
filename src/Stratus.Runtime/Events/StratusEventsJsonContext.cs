using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>
/// Source-generated metadata for every event Stratus sends and every reply it understands, for
/// <see cref="SourceGeneratorLambdaJsonSerializer{TContext}"/> (NativeAOT) or as a resolver to combine with a function's own.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(SqsEvent))]
[JsonSerializable(typeof(SqsBatchResponse))]
[JsonSerializable(typeof(ScheduledEvent))]
[JsonSerializable(typeof(DestinationRecord))]
[JsonSerializable(typeof(string))]
public sealed partial class StratusEventsJsonContext : JsonSerializerContext;
