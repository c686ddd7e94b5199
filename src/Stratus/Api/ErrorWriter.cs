using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Stratus.Api;

/// <summary>Writes Lambda's error shape, which the AWS clients parse by header first, body second.</summary>
internal static class ErrorWriter
{
    public static Task WriteAsync(HttpContext context, LambdaException error)
    {
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        response.Headers["x-amzn-ErrorType"] = error.ErrorType;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (error.RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json";
        var body = new ErrorBody("User", error.Message, error.Reason);
        if (error.StatusCode >= 500)
        {
            body = body with { Type = "Service" };
        }

        return response.WriteAsync(JsonSerializer.Serialize(body, ApiJson.Default.ErrorBody));
    }
}

internal sealed record ErrorBody(string Type, string Message, string? Reason);
