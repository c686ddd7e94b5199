using Microsoft.Extensions.Logging;

namespace Stratus.Events;

internal sealed partial class Scheduler
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Schedules loaded: {Count}, {Due} ticks due at start")]
        public static partial void Loaded(ILogger logger, int count, int due);

        [LoggerMessage(2, LogLevel.Warning, "Schedule {Name} tick {Tick:O} could not be handed over: {Error}")]
        public static partial void TickFailed(ILogger logger, string name, DateTimeOffset tick, string error);

        [LoggerMessage(3, LogLevel.Error, "Schedule firings could not be stored; they will be re-sent after a restart, where deduplication absorbs them")]
        public static partial void StoreFailed(ILogger logger, Exception exception);

        [LoggerMessage(4, LogLevel.Debug, "Schedules fired {Count} ticks; the latest handed over {Lag} ms after its due time")]
        public static partial void Fired(ILogger logger, int count, double lag);

        [LoggerMessage(5, LogLevel.Error, "The schedule loop failed")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
