using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Stratus.Api;
using Stratus.Functions;

namespace Stratus.Observability;

/// <summary>
/// <c>GET /stratus/v1/functions/{name}/logs/stream</c>: a function's new log records as Server-Sent
/// Events (<c>event: log</c>, data the JSON of one invocation's log), pushed as the log sink accepts
/// them. A comment opens the stream once the follower is subscribed, and another is sent while
/// nothing happens so proxies and clients notice a dead connection.
/// </summary>
internal static class LogStream
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task FollowAsync(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper, LogSink logs,
        TimeProvider time, IHostApplicationLifetime lifetime)
    {
        var function = LogsApi.Visible(context, name, registry, mapper);
        using var subscription = logs.Live.Subscribe(function.Name)
            ?? throw LambdaException.Throttled("TooManyLogFollowers", $"The server already streams logs to {LiveLogs.MaxSubscribers} followers");
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // Records are written straight into the response's pipe and flushed once per batch: one
        // write to the socket however many records a batch holds.
        var pipe = response.BodyWriter;
        pipe.Write(Encoding.UTF8.GetBytes(": following " + function.Name + "\n\n"));
        await pipe.FlushAsync(context.RequestAborted);
        using var json = new Utf8JsonWriter(pipe);

        // A stopping server ends its streams, or it would wait for every follower to hang up.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        long dropped = 0;
        try
        {
            while (true)
            {
                using var quiet = new CancellationTokenSource(KeepAlive, time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, quiet.Token);
                bool more;
                try
                {
                    more = await subscription.Records.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    pipe.Write(": keep-alive\n\n"u8);
                    await pipe.FlushAsync(stop.Token);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                while (subscription.Records.TryRead(out var record))
                {
                    pipe.Write("event: log\ndata: "u8);
                    JsonSerializer.Serialize(json, LogsApi.Output(record), ObservabilityJson.Default.LogEventOutput);
                    json.Flush();
                    json.Reset(pipe);
                    pipe.Write("\n\n"u8);
                }

                if (subscription.Dropped != dropped)
                {
                    dropped = subscription.Dropped;
                    pipe.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"event: dropped\ndata: {dropped}\n\n")));
                }

                await pipe.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The follower hung up or the server is stopping: the stream simply ends.
        }
    }
}
