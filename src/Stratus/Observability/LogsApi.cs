using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Api;
using Stratus.Functions;
using Stratus.Storage;
using Stratus.Tenancy;

namespace Stratus.Observability;

/// <summary>
/// The native logs and activity API: query a function's stored logs, follow them live (Server-Sent
/// Events), and read the per-minute series the console charts. A caller sees only its own functions.
/// </summary>
internal static class LogsApi
{
    public const int MaxLimit = 1000;
    public const int MaxFilterLength = 256;

    public static void MapObservabilityApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/stratus/v1/functions/{name}/logs", LogsAsync);
        endpoints.MapGet("/stratus/v1/functions/{name}/logs/stream", LogStream.FollowAsync);
        endpoints.MapGet("/stratus/v1/functions/{name}/series", Series);
        endpoints.MapGet("/stratus/v1/activity", Activity);
    }

    /// <summary>The function named in the path, if the caller may see it; otherwise Lambda's not-found error.</summary>
    internal static FunctionDefinition Visible(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper)
    {
        // Names resolve within the caller's account (the root account reaches others' by ARN).
        var key = mapper.Scoped(context, FunctionArn.Parse(name));
        return registry.Get(key, mapper.Arn(key));
    }

    internal static LogEventOutput Output(LogRecord record) =>
        new(record.RequestId, FunctionMapper.FormatLastModified(record.Timestamp), record.LogStream, record.Text);

    private static async Task<IResult> LogsAsync(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper, LogSink logs)
    {
        var function = Visible(context, name, registry, mapper);
        var request = context.Request;
        var limit = RequestReader.ReadIntQuery(request, "limit") ?? 20;
        if (limit is < 1 or > MaxLimit)
        {
            throw LambdaException.InvalidParameter($"limit must be between 1 and {MaxLimit}");
        }

        var query = new LogQuery(function.Name, limit)
        {
            Start = ReadTime(request, "start"),
            End = ReadTime(request, "end"),
            RequestId = ReadText(request, "requestId", 64),
            Filter = ReadText(request, "filter", MaxFilterLength),
            Before = ReadToken(request),
        };
        await logs.FlushAsync();
        var page = logs.Query(query);
        var events = new List<LogEventOutput>(page.Records.Count);
        foreach (var record in page.Records)
        {
            events.Add(Output(record));
        }

        var token = page.Before?.ToString(CultureInfo.InvariantCulture);
        return ControlApi.Json(new LogsOutput(function.FunctionName, "/aws/lambda/" + function.FunctionName, events, token), ObservabilityJson.Default.LogsOutput);
    }

    private static IResult Series(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper, InvocationSeries series)
    {
        var function = Visible(context, name, registry, mapper);
        var minutes = ReadMinutes(context.Request);
        return ControlApi.Json(new SeriesOutput(function.FunctionName, series.Points(function.Name, minutes)), ObservabilityJson.Default.SeriesOutput);
    }

    private static IResult Activity(HttpContext context, FunctionRegistry registry, InvocationSeries series)
    {
        var minutes = ReadMinutes(context.Request);
        var caller = context.GetCaller();
        var functions = new List<FunctionActivity>();
        foreach (var function in registry.All.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (function.AccountId != caller.AccountId)
            {
                continue;
            }

            long invocations = 0, errors = 0, cold = 0;
            double durationSum = 0;
            string? last = null;
            foreach (var point in series.Points(function.Name, minutes))
            {
                invocations += point.Invocations;
                errors += point.Errors;
                cold += point.ColdStarts;
                durationSum += point.AverageDurationMs * point.Invocations;
                last = point.Invocations > 0 ? point.Minute : last;
            }

            functions.Add(new FunctionActivity(function.FunctionName, invocations, errors, cold, invocations == 0 ? 0 : Math.Round(durationSum / invocations, 2), last));
        }

        return ControlApi.Json(new ActivityOutput(minutes, functions), ObservabilityJson.Default.ActivityOutput);
    }

    private static int ReadMinutes(HttpRequest request)
    {
        var minutes = RequestReader.ReadIntQuery(request, "minutes") ?? InvocationSeries.Minutes;
        return minutes is >= 1 and <= InvocationSeries.Minutes
            ? minutes
            : throw LambdaException.InvalidParameter($"minutes must be between 1 and {InvocationSeries.Minutes}");
    }

    /// <summary>A time as epoch milliseconds (as CloudWatch Logs takes it) or ISO 8601.</summary>
    private static DateTimeOffset? ReadTime(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (value.Length <= 16 && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 253_402_300_799_999)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }

        return value.Length <= 40 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw LambdaException.InvalidParameter($"{name} must be a time in epoch milliseconds or ISO 8601, e.g. 2026-01-31T12:00:00Z");
    }

    private static string? ReadText(HttpRequest request, string name, int maxLength)
    {
        var value = request.Query[name].ToString();
        return value.Length == 0 ? null
            : value.Length <= maxLength ? value
            : throw LambdaException.InvalidParameter($"{name} must be at most {maxLength} characters");
    }

    private static long? ReadToken(HttpRequest request)
    {
        var value = request.Query["nextToken"].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        return value.Length <= 19 && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw LambdaException.InvalidParameter("nextToken is not one this API returned");
    }
}
