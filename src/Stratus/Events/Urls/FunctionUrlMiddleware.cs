using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Stratus.Api;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Hosting;
using Stratus.Invocation;

namespace Stratus.Events.Urls;

/// <summary>
/// Serves function URLs on the server's own listener (see <see cref="FunctionUrlAddress"/>); every
/// other request goes on to the APIs. It never blocks (configs are in memory), so it runs on the
/// I/O thread like Invoke, and invocations go through the same <see cref="Invoker"/>, logs included.
/// </summary>
internal sealed class FunctionUrlMiddleware
{
    // Lambda's answers: the long one for a URL that does not exist (or no longer), the short one for
    // an AWS_IAM URL called without a signature.
    private const string NoSuchUrl = "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html";
    private const string Unsigned = "Forbidden";
    private readonly RequestDelegate _next;
    private readonly FunctionUrls _urls;
    private readonly FunctionRegistry _functions;
    private readonly FunctionMapper _mapper;
    private readonly Invoker _invoker;
    private readonly TimeProvider _time;
    private readonly StratusOptions _options;
    private readonly Tenancy.SigV4.ISigV4Verifier _verifier;

    public FunctionUrlMiddleware(RequestDelegate next, FunctionUrls urls, FunctionRegistry functions, FunctionMapper mapper, Invoker invoker, TimeProvider time, IOptions<StratusOptions> options, Tenancy.SigV4.ISigV4Verifier verifier)
    {
        _verifier = verifier;
        ArgumentNullException.ThrowIfNull(options);
        _next = next;
        _urls = urls;
        _functions = functions;
        _mapper = mapper;
        _invoker = invoker;
        _time = time;
        _options = options.Value;
    }

    public Task InvokeAsync(HttpContext context) =>
        FunctionUrlAddress.TryMatch(context.Request, out var urlId, out var rawPath)
            ? ServeAsync(context, urlId, rawPath)
            : _next(context);

    private async Task ServeAsync(HttpContext context, string urlId, string rawPath)
    {
        var request = context.Request;
        var response = context.Response;

        if (!_urls.TryGet(urlId, out var config) || !_functions.TryGet(config.FunctionName, out var function))
        {
            await ErrorAsync(response, StatusCodes.Status403Forbidden, "AccessDeniedException", NoSuchUrl);
            return;
        }

        if (config.AuthType == FunctionUrlConfig.AuthNone && CorsPolicy.IsPreflight(request, config.Cors))
        {
            CorsPolicy.WritePreflight(request, response, config.Cors!);
            response.ContentLength = 0;
            return;
        }

        byte[] body;
        try
        {
            body = await RequestReader.ReadBytesAsync(request, FunctionLimits.MaxSyncPayloadBytes, RequestReader.ForInvoke);
        }
        catch (LambdaException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ErrorAsync(response, error.StatusCode, error.ErrorType, error.Message);
            return;
        }

        if (!FunctionUrlAuthorizer.TryAuthorize(context, config, function.AccountId, _options.AccountId, body, _verifier, out var caller))
        {
            await ErrorAsync(response, StatusCodes.Status403Forbidden, "AccessDeniedException", Unsigned);
            return;
        }

        if (config.AuthType != FunctionUrlConfig.AuthNone && CorsPolicy.IsPreflight(request, config.Cors))
        {
            CorsPolicy.WritePreflight(request, response, config.Cors!);
            response.ContentLength = 0;
            return;
        }

        var requestId = Invocation.RequestIds.New();
        var payload = HttpEventWriter.Write(request, body, new HttpEventWriter.Context(urlId, rawPath, requestId, function.AccountId, _time.GetUtcNow(), caller));
        if (payload.Length > FunctionLimits.MaxSyncPayloadBytes)
        {
            // A body under the limit can still make an event over it once base64-encoded.
            await ErrorAsync(response, StatusCodes.Status413PayloadTooLarge, "RequestTooLargeException", RequestReader.TooLargeMessage(FunctionLimits.MaxSyncPayloadBytes, RequestReader.ForInvoke));
            return;
        }

        response.Headers["x-amzn-RequestId"] = requestId;
        InvocationResult result;
        try
        {
            result = await _invoker.InvokeAsync(function, new InvocationRequest(requestId, payload)
            {
                InvokedFunctionArn = _mapper.InvokedArn(function.Name, config.Qualifier),
                Trigger = "url",
                ParentTrace = Observability.TraceHeaders.FromRequest(context.Request),
            });
        }
        catch (LambdaException error)
        {
            var message = error.StatusCode == StatusCodes.Status429TooManyRequests ? "Rate Exceeded." : error.Message;
            if (error.RetryAfterSeconds is { } seconds)
            {
                response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await ErrorAsync(response, error.StatusCode, error.ErrorType, message);
            return;
        }

        // A function error, a timeout or a result that is no response: Lambda answers 502 with this text.
        if (result.FunctionError is not null || !HttpResponseMapper.TryApply(response, result.Payload, out var content))
        {
            response.Headers.Clear();
            response.Headers["x-amzn-RequestId"] = requestId;
            response.StatusCode = StatusCodes.Status502BadGateway;
            response.ContentType = "text/plain; charset=utf-8";
            content = InternalServerError;
        }

        CorsPolicy.AddToResponse(request, response, config.Cors);
        var bodyless = response.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified || response.StatusCode < 200;
        if (!bodyless)
        {
            response.ContentLength = content.Length;
        }

        // Started even when empty: a function's own 404 or 405 must not pass for an unknown API operation.
        await response.StartAsync();
        if (!bodyless && content.Length > 0)
        {
            await response.Body.WriteAsync(content);
        }
    }

    private static readonly byte[] InternalServerError = "Internal Server Error"u8.ToArray();

    private static Task ErrorAsync(HttpResponse response, int status, string errorType, string message)
    {
        response.StatusCode = status;
        response.Headers["x-amzn-ErrorType"] = errorType;
        response.ContentType = "application/json";
        var body = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new UrlErrorBody(message), FunctionUrlJson.Default.UrlErrorBody));
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}

/// <summary>The error body a function URL answers with, e.g. <c>{"Message":"Forbidden. …"}</c>.</summary>
internal sealed record UrlErrorBody(string Message);
