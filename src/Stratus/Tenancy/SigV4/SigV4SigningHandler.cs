namespace Stratus.Tenancy.SigV4;

/// <summary>An <see cref="HttpClient"/> handler that signs every request with an access key (SigV4).</summary>
public sealed class SigV4SigningHandler : DelegatingHandler
{
    private readonly string _accessKeyId;
    private readonly string _secret;
    private readonly string _region;
    private readonly TimeProvider _time;

    public SigV4SigningHandler(string accessKeyId, string secret, string region, HttpMessageHandler? inner = null, TimeProvider? time = null)
        : base(inner ?? new HttpClientHandler())
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentException.ThrowIfNullOrEmpty(region);
        _accessKeyId = accessKeyId;
        _secret = secret;
        _region = region;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The signing name a Stratus path belongs to: <c>sqs</c> for the queue API at <c>/</c>, else <c>lambda</c>.</summary>
    public static string ServiceOf(string path) => path is "/" or "" ? "sqs" : "lambda";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var contentType = request.Content?.Headers.ContentType?.ToString();
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var (amzDate, authorization) = SigV4Signer.Sign(
            request.Method.Method, uri.PathAndQuery, host, contentType, body,
            _accessKeyId, _secret, _region, ServiceOf(uri.AbsolutePath), _time.GetUtcNow());
        request.Headers.Remove("X-Amz-Date");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await base.SendAsync(request, cancellationToken);
    }
}
