using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>The HTTP details of a request: method, path, protocol, caller.</summary>
public sealed class HttpApiRequestHttp
{
    [JsonPropertyName("method")]
    public string? Method { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("protocol")]
    public string? Protocol { get; set; }

    [JsonPropertyName("sourceIp")]
    public string? SourceIp { get; set; }

    [JsonPropertyName("userAgent")]
    public string? UserAgent { get; set; }
}
