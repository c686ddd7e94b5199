namespace Stratus.Events;

/// <summary>A schedule as stored: when it fires, what it invokes and with what.</summary>
/// <param name="Anchor">When the schedule last started counting ticks (created, expression changed, enabled): ticks before it never fire, and rates count from it.</param>
public sealed record ScheduleDefinition(
    string Name,
    string ScheduleExpression,
    string ScheduleExpressionTimezone,
    ScheduleState State,
    ScheduleTarget Target,
    MissedTicks MissedTicks,
    DateTimeOffset CreationDate,
    DateTimeOffset LastModificationDate,
    DateTimeOffset Anchor);

/// <summary>The function a schedule invokes; without <see cref="Input"/> it gets the "Scheduled Event" envelope.</summary>
public sealed record ScheduleTarget(string FunctionName, string? Qualifier, string? Input);

public enum ScheduleState
{
    Enabled,
    Disabled,
}

/// <summary>What happens to ticks that fell while the server was down.</summary>
public enum MissedTicks
{
    /// <summary>Only the first missed tick is (re)sent; the rest are skipped.</summary>
    Skip,

    /// <summary>The first missed tick and, if more were missed, the latest of them: one catch-up tick.</summary>
    CatchUpOnce,
}

/// <summary>The last tick a schedule handed to the async invocations, and what came of it.</summary>
public sealed record ScheduleFiring(string Name, DateTimeOffset Tick, DateTimeOffset EnqueuedAt, string? RequestId, bool Duplicate, string? Error);

/// <summary>A stored schedule with its last firing, if any.</summary>
public sealed record StoredSchedule(ScheduleDefinition Definition, ScheduleFiring? LastFiring);
