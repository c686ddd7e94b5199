using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>An HTTP response for function URLs and HTTP APIs; a result without StatusCode would be a 200 JSON body.</summary>
public sealed class HttpApiResponse
{
    [JsonPropertyName("statusCode")]
    public int StatusCode { get; set; } = 200;

    [JsonPropertyName("headers")]
    public Dictionary<string, string>? Headers { get; set; }

    [JsonPropertyName("cookies")]
    public List<string>? Cookies { get; set; }

    [JsonPropertyName("body")]
    public string? Body { get; set; }

    [JsonPropertyName("isBase64Encoded")]
    public bool IsBase64Encoded { get; set; }
}
