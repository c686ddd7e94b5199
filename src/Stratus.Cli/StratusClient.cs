using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stratus.Cli;

/// <summary>A thin client of the server's Lambda and native APIs for the CLI verbs.</summary>
internal sealed class StratusClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="credentials">The key to sign requests with; none sends them unsigned (for a server in development mode).</param>
    public StratusClient(Uri endpoint, ClientCredentials? credentials)
    {
        HttpMessageHandler handler = credentials is null
            ? new HttpClientHandler()
            : new Tenancy.SigV4.SigV4SigningHandler(credentials.AccessKeyId, credentials.Secret, credentials.Region);
        _http = new HttpClient(handler) { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(16) };
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

    /// <summary>An SQS call in the AWS JSON 1.0 protocol (<c>POST /</c>, <c>X-Amz-Target: AmazonSQS.&lt;operation&gt;</c>).</summary>
    public async Task<JsonNode> SendSqsAsync(string operation, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.Add("X-Amz-Target", "AmazonSQS." + operation);
        using var response = await SendRawAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // SQS names its errors in the body's __type ("com.amazonaws.sqs#QueueDoesNotExist").
            JsonNode? error = null;
            try
            {
                error = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's page): the raw text is the message.
            }

            var type = error?["__type"]?.GetValue<string>() ?? $"HTTP {(int)response.StatusCode}";
            throw new ApiException(type[(type.LastIndexOf('#') + 1)..], error?["message"]?.GetValue<string>() ?? text, (int)response.StatusCode);
        }

        return JsonNode.Parse(text)!;
    }

    /// <summary>A GET whose answer is read as it arrives (a Server-Sent Events stream); the caller disposes it.</summary>
    public async Task<HttpResponseMessage> StreamAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await SendRawAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw ApiError(response, await response.Content.ReadAsStringAsync(cancellationToken));
            }
        }

        return response;
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
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
