using Stratus.Api;

namespace Stratus.Events;

/// <summary>The errors the schedule API answers with, in EventBridge Scheduler's names.</summary>
internal static class ScheduleErrors
{
    public static LambdaException Validation(string message) => new(400, "ValidationException", message);

    public static LambdaException NotFound(string name) => new(404, "ResourceNotFoundException", $"Schedule {name} does not exist.");
}
