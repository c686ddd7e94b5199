using System.Text.Json.Serialization;

namespace Stratus.Events;

/// <summary>How a schedule definition is kept in the store: one JSON document per schedule.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(ScheduleDefinition))]
internal sealed partial class ScheduleJson : JsonSerializerContext;
