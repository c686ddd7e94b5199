using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stratus.Api;

/// <summary>Turns every failure into Lambda's error shape; unexpected ones become ServiceException.</summary>
internal sealed partial class ErrorHandlingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<ErrorHandlingMiddleware> _logger;

    public ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await _next(context);
            if (context.Response.StatusCode is 404 or 405 && !context.Response.HasStarted && context.GetEndpoint() is null)
            {
                await ErrorWriter.WriteAsync(context, new LambdaException(
                    context.Response.StatusCode == 404 ? 404 : 405,
                    "UnknownOperationException",
                    $"Unknown operation: {context.Request.Method} {context.Request.Path}"));
            }
        }
        catch (LambdaException error) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ErrorWriter.WriteAsync(context, error);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException error) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            var status = error.StatusCode == 413 ? LambdaException.TooLarge(error.Message) : LambdaException.InvalidContent(error.Message);
            await ErrorWriter.WriteAsync(context, status);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            Log.Unhandled(_logger, context.Request.Method, context.Request.Path, ex);
            context.Response.Clear();
            await ErrorWriter.WriteAsync(context, LambdaException.Service("An internal error occurred."));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Error, "Unhandled error in {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, string method, PathString path, Exception exception);
    }
}
