using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>An HTTP request as function URLs and API Gateway HTTP APIs send it (payload format 2.0).</summary>
public sealed class HttpApiRequest
{
    [JsonPropertyName("version")]
    public string Version { get; set; } = "2.0";

    [JsonPropertyName("routeKey")]
    public string? RouteKey { get; set; }

    [JsonPropertyName("rawPath")]
    public string? RawPath { get; set; }

    [JsonPropertyName("rawQueryString")]
    public string? RawQueryString { get; set; }

    [JsonPropertyName("cookies")]
    public List<string>? Cookies { get; set; }

    [JsonPropertyName("headers")]
    public Dictionary<string, string>? Headers { get; set; }

    [JsonPropertyName("queryStringParameters")]
    public Dictionary<string, string>? QueryStringParameters { get; set; }

    [JsonPropertyName("pathParameters")]
    public Dictionary<string, string>? PathParameters { get; set; }

    [JsonPropertyName("stageVariables")]
    public Dictionary<string, string>? StageVariables { get; set; }

    [JsonPropertyName("requestContext")]
    public HttpApiRequestContext? RequestContext { get; set; }

    [JsonPropertyName("body")]
    public string? Body { get; set; }

    [JsonPropertyName("isBase64Encoded")]
    public bool IsBase64Encoded { get; set; }
}
