using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Stratus.Functions;

namespace Stratus.Api;

/// <summary>Reads bounded request bodies and turns bad input into Lambda's errors.</summary>
internal static class RequestReader
{
    /// <summary>How a too-large Invoke body's error ends.</summary>
    public const string ForInvoke = " for the InvokeFunction operation";

    /// <summary>
    /// The whole body, at most <paramref name="limit"/> bytes; a longer one is refused with "Request must be
    /// smaller than <paramref name="limit"/> bytes" and <paramref name="operation"/> (written only then).
    /// </summary>
    public static async ValueTask<byte[]> ReadBytesAsync(HttpRequest request, long limit, string operation)
    {
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit, operation);
        }

        if (request.HttpContext.Features.Get<Tenancy.BufferedRequestBody>() is { } buffered)
        {
            return buffered.Bytes.Length <= limit ? buffered.Bytes : throw TooLarge(limit, operation);
        }

        if (request.ContentLength is { } declared)
        {
            // The common case: read straight into an array of the declared size.
            var exact = new byte[declared];
            var filled = 0;
            while (filled < exact.Length)
            {
                var n = await request.Body.ReadAsync(exact.AsMemory(filled));
                if (n == 0)
                {
                    break;
                }

                filled += n;
            }

            return filled == exact.Length ? exact : exact[..filled];
        }

        using var buffer = new MemoryStream(1024);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge(limit, operation);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Lambda's error for a body over <paramref name="limit"/> bytes.</summary>
    public static LambdaException TooLarge(long limit, string operation) => LambdaException.TooLarge(TooLargeMessage(limit, operation));

    /// <summary>Lambda's message for a body over <paramref name="limit"/> bytes.</summary>
    public static string TooLargeMessage(long limit, string operation) =>
        string.Create(CultureInfo.InvariantCulture, $"Request must be smaller than {limit} bytes{operation}");

    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> type)
        where T : class
    {
        var bytes = await ReadBytesAsync(request, FunctionLimits.MaxControlRequestBytes, " for the operation");
        await OffloadMiddleware.LeaveIoThread();
        if (bytes.Length == 0)
        {
            throw LambdaException.InvalidContent("Could not parse request body into json: the body is empty.");
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw LambdaException.InvalidContent("Could not parse request body into json: the body is null.");
        }
        catch (JsonException ex)
        {
            throw LambdaException.InvalidContent("Could not parse request body into json: " + ex.Message);
        }
    }

    public static int? ReadIntQuery(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw LambdaException.InvalidParameter($"1 validation error detected: Value '{value}' at '{char.ToLowerInvariant(name[0]) + name[1..]}' failed to satisfy constraint: Member must be a number");
    }
}
