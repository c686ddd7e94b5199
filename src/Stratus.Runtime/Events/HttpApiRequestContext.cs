using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>Where an HTTP request came from and how it was routed.</summary>
public sealed class HttpApiRequestContext
{
    [JsonPropertyName("accountId")]
    public string? AccountId { get; set; }

    [JsonPropertyName("apiId")]
    public string? ApiId { get; set; }

    [JsonPropertyName("domainName")]
    public string? DomainName { get; set; }

    [JsonPropertyName("domainPrefix")]
    public string? DomainPrefix { get; set; }

    [JsonPropertyName("http")]
    public HttpApiRequestHttp? Http { get; set; }

    [JsonPropertyName("requestId")]
    public string? RequestId { get; set; }

    [JsonPropertyName("routeKey")]
    public string? RouteKey { get; set; }

    [JsonPropertyName("stage")]
    public string? Stage { get; set; }

    [JsonPropertyName("time")]
    public string? Time { get; set; }

    [JsonPropertyName("timeEpoch")]
    public long TimeEpoch { get; set; }

    [JsonPropertyName("authorizer")]
    public HttpApiAuthorizer? Authorizer { get; set; }
}
