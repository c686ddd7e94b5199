using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Hosting;

namespace Stratus.Observability;

/// <summary>Keeps the log store within its retention: by age (<see cref="StratusOptions.LogRetention"/>) and by size.</summary>
public sealed partial class LogRetention
{
    /// <summary>How often retention runs: often enough that the store never grows far beyond its bound.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly LogSink _logs;
    private readonly TimeProvider _time;
    private readonly StratusOptions _options;
    private readonly ILogger<LogRetention> _logger;

    public LogRetention(LogSink logs, TimeProvider time, IOptions<StratusOptions> options, ILogger<LogRetention> logger)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(options);
        _logs = logs;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Deletes what is past retention now; returns how many records went.</summary>
    public int RunOnce()
    {
        var deleted = _logs.Prune(_time.GetUtcNow() - _options.LogRetention, _options.LogMaxMegabytes * 1024 * 1024);
        if (deleted > 0)
        {
            Log.Pruned(_logger, deleted);
        }

        return deleted;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        do
        {
            try
            {
                RunOnce();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.Failed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private static partial class Log
    {
        [LoggerMessage(21, LogLevel.Information, "Log retention deleted {Count} records")]
        public static partial void Pruned(ILogger logger, int count);

        [LoggerMessage(22, LogLevel.Error, "Log retention failed")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
