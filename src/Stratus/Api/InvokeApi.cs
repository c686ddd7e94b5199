using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Invocation;

namespace Stratus.Api;

/// <summary>
/// <c>POST /2015-03-31/functions/{fn}/invocations</c>: the hot path. Services are resolved once at
/// start-up and the request is handled without model binding.
/// </summary>
internal static class InvokeApi
{
    private const int LogTailBytes = 4 * 1024;
    private const int MaxClientContextBytes = 3583;
    private static readonly byte[] EmptyEvent = "{}"u8.ToArray();

    public static void MapInvokeApi(this IEndpointRouteBuilder endpoints)
    {
        var registry = endpoints.ServiceProvider.GetRequiredService<FunctionRegistry>();
        var mapper = endpoints.ServiceProvider.GetRequiredService<FunctionMapper>();
        var invoker = endpoints.ServiceProvider.GetRequiredService<Invoker>();
        var events = endpoints.ServiceProvider.GetRequiredService<IAsyncInvocations>();
        endpoints.MapPost("/2015-03-31/functions/{fn}/invocations", context => InvokeAsync(context, registry, mapper, invoker, events))
            .WithMetadata(OffloadMiddleware.Inline);
    }

    private static async Task InvokeAsync(HttpContext context, FunctionRegistry registry, FunctionMapper mapper, Invoker invoker, IAsyncInvocations events)
    {
        var request = context.Request;
        var function = ControlApi.Resolve(context, (string)request.RouteValues["fn"]!, registry, mapper, out var qualifier, route: true);
        var type = request.Headers["X-Amz-Invocation-Type"].ToString();
        var isEvent = type == "Event";
        if (type.Length > 0 && !isEvent && type != "RequestResponse" && type != "DryRun")
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
        }

        var limit = isEvent ? FunctionLimits.MaxAsyncPayloadBytes : FunctionLimits.MaxSyncPayloadBytes;
        var payload = await RequestReader.ReadBytesAsync(request, limit, RequestReader.ForInvoke);
        if (payload.Length == 0)
        {
            payload = EmptyEvent;
        }
        else if (!IsJson(payload))
        {
            throw LambdaException.InvalidContent("Could not parse request body into json: Could not parse payload into json: Unexpected character, the payload must be a valid JSON document.");
        }

        var clientContext = DecodeClientContext(request.Headers["X-Amz-Client-Context"].ToString());
        var response = context.Response;
        if (type == "DryRun")
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        if (isEvent)
        {
            // 202 only once the event is committed to the durable queue. Lambda passes the client
            // context to synchronous invocations only.
            var accepted = await events.EnqueueAsync(new AsyncEvent(function.Name, qualifier, payload, "invoke"));
            response.Headers["x-amzn-RequestId"] = accepted.RequestId;
            response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        var invocation = new InvocationRequest(Invocation.RequestIds.New(), payload, clientContext)
        {
            InvokedFunctionArn = mapper.InvokedArn(function.Name, qualifier),
            ParentTrace = Observability.TraceHeaders.FromRequest(request),
        };
        response.Headers["x-amzn-RequestId"] = invocation.RequestId;

        var result = await invoker.InvokeAsync(function, invocation);
        response.Headers["X-Amz-Executed-Version"] = function.Version;
        if (result.FunctionError is { } error)
        {
            response.Headers["X-Amz-Function-Error"] = error;
        }

        if (request.Headers["X-Amz-Log-Type"] == "Tail")
        {
            response.Headers["X-Amz-Log-Result"] = LogTail(result.Log);
        }

        response.ContentType = "application/json";
        response.ContentLength = result.Payload.Length;
        await response.Body.WriteAsync(result.Payload);
    }

    /// <summary>Base64 of the last 4 KB of the log, as Lambda returns for <c>X-Amz-Log-Type: Tail</c>.</summary>
    internal static string LogTail(string log)
    {
        var bytes = Encoding.UTF8.GetBytes(log);
        var start = Math.Max(0, bytes.Length - LogTailBytes);
        return Convert.ToBase64String(bytes, start, bytes.Length - start);
    }

    private static bool IsJson(byte[] payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read())
            {
                // Reading to the end validates the whole document.
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? DecodeClientContext(string header)
    {
        if (header.Length == 0)
        {
            return null;
        }

        try
        {
            var bytes = Convert.FromBase64String(header);
            if (bytes.Length > MaxClientContextBytes)
            {
                throw LambdaException.InvalidParameter($"Client context must be smaller than {MaxClientContextBytes} bytes.");
            }

            using var document = JsonDocument.Parse(bytes);
            return Encoding.UTF8.GetString(bytes);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw LambdaException.InvalidContent("Client context must be a valid Base64-encoded JSON object.");
        }
    }
}
