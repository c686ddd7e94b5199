namespace Stratus.Events.Urls;

/// <summary>
/// A function URL: the HTTP endpoint <c>/lambda-url/{UrlId}/</c> (or host <c>{UrlId}.lambda-url.*</c>)
/// that invokes <see cref="FunctionName"/> with API Gateway's payload format 2.0.
/// </summary>
/// <param name="UrlId">32 lowercase letters and digits, fixed for the life of the config.</param>
/// <param name="Qualifier">Null for the unqualified function ($LATEST); aliases come with versions.</param>
public sealed record FunctionUrlConfig(
    string UrlId,
    string FunctionName,
    string? Qualifier,
    string AuthType,
    FunctionUrlCors? Cors,
    string InvokeMode,
    DateTimeOffset CreationTime,
    DateTimeOffset LastModifiedTime)
{
    public const string AuthNone = "NONE";
    public const string AuthIam = "AWS_IAM";
    public const string Buffered = "BUFFERED";
    public const string ResponseStream = "RESPONSE_STREAM";
}

/// <summary>Cross-origin settings as Lambda's <c>Cors</c> structure holds them.</summary>
public sealed record FunctionUrlCors(
    bool? AllowCredentials,
    IReadOnlyList<string>? AllowHeaders,
    IReadOnlyList<string>? AllowMethods,
    IReadOnlyList<string>? AllowOrigins,
    IReadOnlyList<string>? ExposeHeaders,
    int? MaxAge);
