using System.Text.Json.Serialization;

namespace Stratus.Observability;

/// <summary>One invocation's log, as the logs API and the live stream show it.</summary>
internal sealed record LogEventOutput(string RequestId, string Timestamp, string LogStreamName, string Message);

/// <summary>A page of logs, oldest first; <see cref="NextToken"/> asks for the page of older ones.</summary>
internal sealed record LogsOutput(string FunctionName, string LogGroupName, IReadOnlyList<LogEventOutput> Events, string? NextToken);

internal sealed record SeriesOutput(string FunctionName, IReadOnlyList<SeriesPoint> Points);

/// <summary>One function's totals over the series' window, for the console's functions list.</summary>
internal sealed record FunctionActivity(string FunctionName, long Invocations, long Errors, long ColdStarts, double AverageDurationMs, string? LastActive);

internal sealed record ActivityOutput(int Minutes, IReadOnlyList<FunctionActivity> Functions);

[JsonSerializable(typeof(LogsOutput))]
[JsonSerializable(typeof(LogEventOutput))]
[JsonSerializable(typeof(SeriesOutput))]
[JsonSerializable(typeof(ActivityOutput))]
internal sealed partial class ObservabilityJson : JsonSerializerContext;
