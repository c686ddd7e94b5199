using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stratus.Cli;

/// <summary>A thin client of the server's Lambda and native APIs for the CLI verbs.</summary>
internal sealed class StratusClient : IDisposable
{
    private readonly HttpClient _http;

    public StratusClient(Uri endpoint)
    {
        _http = new HttpClient { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(16) };
    }

    public async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await SendRawAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ApiError(response, text);
        }

        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>A GET whose answer is not JSON (an invoice as CSV or HTML), as text.</summary>
    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendRawAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? text : throw ApiError(response, text);
    }

    public async Task<InvokeResponse> InvokeAsync(string function, byte[] payload, bool tail, bool isEvent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2015-03-31/functions/{Uri.EscapeDataString(function)}/invocations")
        {
            Content = new ByteArrayContent(payload),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Amz-Invocation-Type", isEvent ? "Event" : "RequestResponse");
        if (tail)
        {
            request.Headers.Add("X-Amz-Log-Type", "Tail");
        }

        using var response = await SendRawAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ApiError(response, Encoding.UTF8.GetString(body));
        }

        var log = response.Headers.TryGetValues("X-Amz-Log-Result", out var logs) ? Encoding.UTF8.GetString(Convert.FromBase64String(logs.First())) : null;
        var error = response.Headers.TryGetValues("X-Amz-Function-Error", out var errors) ? errors.First() : null;
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.First() : null;
        return new InvokeResponse((int)response.StatusCode, body, error, log, requestId);
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new UnreachableException($"Cannot reach Stratus at {_http.BaseAddress}: {ex.Message}");
        }
    }

    private static ApiException ApiError(HttpResponseMessage response, string text)
    {
        var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.First() : $"HTTP {(int)response.StatusCode}";
        var message = text;
        try
        {
            var node = JsonNode.Parse(text);
            message = node?["Message"]?.GetValue<string>() ?? node?["message"]?.GetValue<string>() ?? text;
        }
        catch (JsonException)
        {
            // Not JSON: keep the raw text.
        }

        return new ApiException(type, message, (int)response.StatusCode);
    }
}

internal sealed record InvokeResponse(int Status, byte[] Payload, string? FunctionError, string? Log, string? RequestId);

internal sealed class ApiException(string errorType, string message, int status) : Exception(message)
{
    public string ErrorType { get; } = errorType;

    public int Status { get; } = status;
}

internal sealed class UnreachableException(string message) : Exception(message);
