using System.Text.Json.Serialization;

namespace Stratus.Runtime.Events;

/// <summary>The signer of an AWS_IAM request.</summary>
public sealed class HttpApiIamIdentity
{
    [JsonPropertyName("accessKey")]
    public string? AccessKey { get; set; }

    [JsonPropertyName("accountId")]
    public string? AccountId { get; set; }

    [JsonPropertyName("callerId")]
    public string? CallerId { get; set; }

    [JsonPropertyName("userArn")]
    public string? UserArn { get; set; }

    [JsonPropertyName("userId")]
    public string? UserId { get; set; }
}
