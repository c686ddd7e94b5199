using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Stratus.Api;

namespace Stratus.Events.Queues;

/// <summary>
/// SQS in the AWS JSON 1.0 protocol: <c>POST /</c> with <c>X-Amz-Target: AmazonSQS.&lt;Operation&gt;</c>,
/// what <c>@aws-sdk/client-sqs</c> sends. Errors take SQS's shape, not Lambda's.
/// </summary>
internal static class SqsApi
{
    private const string TargetPrefix = "AmazonSQS.";
    private const string JsonType = "application/x-amz-json-1.0";

    // Ten messages of 256 KiB each, base64 binary attributes and JSON escaping: 4 MiB is ample.
    private const int MaxRequestBytes = 4 * 1024 * 1024;

    public static void MapSqsApi(this IEndpointRouteBuilder endpoints)
    {
        var queues = endpoints.ServiceProvider.GetRequiredService<QueueService>();
        var lifetime = endpoints.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();
        endpoints.MapPost("/", context => HandleAsync(context, queues, lifetime.ApplicationStopping));
    }

    private static async Task HandleAsync(HttpContext context, QueueService queues, CancellationToken stopping)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        try
        {
            var target = context.Request.Headers["X-Amz-Target"].ToString();
            var body = await RequestReader.ReadBytesAsync(context.Request, MaxRequestBytes, ".");
            await OffloadMiddleware.LeaveIoThread();
            var endpoint = $"{context.Request.Scheme}://{context.Request.Host}";
            var operation = new SqsOperations(queues, endpoint, Tenancy.CallerExtensions.GetCaller(context));

            // A long poll ends when the client leaves or the server stops, so it never holds up a shutdown.
            using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal))
            {
                if (context.Request.HasFormContentType)
                {
                    await SqsQueryApi.HandleAsync(context, operation, body, requestId, done.Token);
                    return;
                }

                throw new SqsException("UnknownOperationException", "Send SQS requests in the AWS JSON 1.0 protocol: POST / with X-Amz-Target: AmazonSQS.<Operation>.");
            }

            var (response, type) = await operation.RunAsync(target[TargetPrefix.Length..], body, done.Token);
            await WriteAsync(context, 200, JsonSerializer.SerializeToUtf8Bytes(response, type));
        }
        catch (SqsException error) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, error);
        }
        catch (JsonException error) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, new SqsException("SerializationException", "The request body could not be read as JSON: " + error.Message));
        }
        catch (LambdaException error) when (!context.Response.HasStarted && error.StatusCode == 413)
        {
            await WriteErrorAsync(context, SqsException.Batch("BatchRequestTooLong", error.Message));
        }
    }

    /// <summary>An error in the protocol the request came in: JSON 1.0 with X-Amz-Target, else the query protocol's XML.</summary>
    internal static Task WriteProtocolErrorAsync(HttpContext context, SqsException error)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        return context.Request.Headers.ContainsKey("X-Amz-Target")
            ? WriteErrorAsync(context, error)
            : SqsQueryApi.WriteErrorAsync(context, error, requestId);
    }

    private static Task WriteErrorAsync(HttpContext context, SqsException error)
    {
        context.Response.Headers["x-amzn-query-error"] = $"{error.QueryCode};{(error.StatusCode >= 500 ? "Receiver" : "Sender")}";
        var body = new SqsErrorBody(ErrorPrefix(error.Code) + error.Code, error.Message);
        return WriteAsync(context, error.StatusCode, JsonSerializer.SerializeToUtf8Bytes(body, SqsJson.Default.SqsErrorBody));
    }

    private static string ErrorPrefix(string code) => code switch
    {
        "UnknownOperationException" or "SerializationException" or "InvalidSignatureException" or "UnrecognizedClientException"
            or "IncompleteSignatureException" or "MissingAuthenticationTokenException" or "AccessDeniedException" => "com.amazon.coral.service#",
        _ => "com.amazonaws.sqs#",
    };

    private static Task WriteAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = JsonType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    internal static (object, JsonTypeInfo) Result<T>(T value, JsonTypeInfo<T> type) where T : notnull => (value, type);
}
