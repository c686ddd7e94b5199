using System.Text.Json.Serialization;

namespace Stratus.Api;

internal sealed class PutScheduleRequest
{
    public string? ScheduleExpression { get; set; }

    public string? ScheduleExpressionTimezone { get; set; }

    /// <summary>ENABLED (default) or DISABLED.</summary>
    public string? State { get; set; }

    public ScheduleTargetInput? Target { get; set; }

    /// <summary>SKIP (default) or CATCH_UP_ONCE.</summary>
    public string? MissedTicks { get; set; }
}

internal sealed class ScheduleTargetInput
{
    public string? FunctionName { get; set; }

    public string? Qualifier { get; set; }

    /// <summary>Fixed JSON to send; without it the function gets the "Scheduled Event" envelope.</summary>
    public string? Input { get; set; }
}

internal sealed record ScheduleTargetOutput(string FunctionName, string FunctionArn, string? Qualifier, string? Input);

/// <summary>The last tick handed to the async invocations; DelayMilliseconds is how long after its due time.</summary>
internal sealed record LastFiringOutput(string Tick, string EnqueuedAt, double DelayMilliseconds, string? RequestId, bool Duplicate, string? Error);

internal sealed record ScheduleOutput(
    string Name,
    string Arn,
    string ScheduleExpression,
    string ScheduleExpressionTimezone,
    string State,
    ScheduleTargetOutput Target,
    string MissedTicks,
    string CreationDate,
    string LastModificationDate,
    IReadOnlyList<string> NextFireTimes,
    LastFiringOutput? LastFiring);

internal sealed record ListSchedulesResponse(IReadOnlyList<ScheduleOutput> Schedules, string? NextToken);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(PutScheduleRequest))]
[JsonSerializable(typeof(ScheduleOutput))]
[JsonSerializable(typeof(ListSchedulesResponse))]
internal sealed partial class ScheduleApiJson : JsonSerializerContext;
