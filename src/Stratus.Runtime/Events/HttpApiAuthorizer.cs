using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>Who signed an AWS_IAM function URL request.</summary>
public sealed class HttpApiAuthorizer
{
    [JsonPropertyName("iam")]
    public HttpApiIamIdentity? Iam { get; set; }
}
