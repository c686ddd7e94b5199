using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Stratus.Tenancy.SigV4;
using Stratus.Tests.EndToEnd;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Tenancy;

/// <summary>
/// Requests signed by the real AWS CLI and the AWS SDK for JavaScript v3, captured raw by a small Kestrel
/// endpoint, then checked by the verifier: valid with the right secret, refused otherwise.
/// </summary>
public sealed class SigV4RealClientTests : IClassFixture<SigV4RealClientTests.Captured>
{
    private const string Arn = "arn:aws:lambda:us-east-1:000000000000:function:my-fn";
    private readonly Captured _captured;

    public SigV4RealClientTests(Captured captured) => _captured = captured;

    public static TheoryData<string> Requests() => new()
    {
        "cli list-functions", "cli get-function", "cli invoke", "cli sqs list-queues", "sdk GetFunction", "sdk Invoke", "sdk presigned",
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Verify_RealClientRequest_IsValid(string name)
    {
        var request = _captured.Find(name);

        var result = Verifier(request).Verify(request, Service(name));

        Assert.True(result.IsValid, $"{name} {request.Method} {request.RawTarget}: {result}");
        Assert.Equal(("000000000000", "stratus-test-key"), (result.AccountId, result.AccessKeyId));
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Verify_RealClientRequestWithWrongSecret_InvalidSignature(string name)
    {
        var request = _captured.Find(name);
        var verifier = new SigV4Verifier(new FixedCredentials("stratus-test-key", "another-secret", "000000000000"), Clock(request), "us-east-1");

        Assert.Equal(SigV4Errors.InvalidSignature, verifier.Verify(request, Service(name)).ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Verify_RealClientRequestWithUnknownKey_UnrecognizedClient(string name)
    {
        var request = _captured.Find(name);
        var verifier = new SigV4Verifier(new FixedCredentials("some-other-key", "stratus-test-secret", "000000000000"), Clock(request), "us-east-1");

        Assert.Equal(SigV4Errors.UnrecognizedClient, verifier.Verify(request, Service(name)).ErrorCode);
    }

    [Theory]
    [InlineData("cli invoke")]
    [InlineData("sdk Invoke")]
    public void Verify_RealClientInvokeWithTamperedBody_InvalidSignature(string name)
    {
        var request = _captured.Find(name);
        Assert.False(request.Body.IsEmpty);
        var tampered = request with { Body = request.Body.ToArray().Append((byte)' ').ToArray() };

        Assert.Equal(SigV4Errors.InvalidSignature, Verifier(request).Verify(tampered, "lambda").ErrorCode);
    }

    [Theory]
    [InlineData("cli get-function")]
    [InlineData("sdk GetFunction")]
    public void Verify_RealClientArnPath_SignedDoubleEncodedAndTamperingRefused(string name)
    {
        var request = _captured.Find(name);
        Assert.Contains("arn%3Aaws%3Alambda", request.RawTarget, StringComparison.OrdinalIgnoreCase);
        var tampered = request with { RawTarget = request.RawTarget.Replace("my-fn", "your-fn", StringComparison.Ordinal) };

        Assert.Equal(SigV4Errors.InvalidSignature, Verifier(request).Verify(tampered, "lambda").ErrorCode);
    }

    [Theory]
    [InlineData("cli list-functions")]
    [InlineData("sdk GetFunction")]
    public void Verify_RealClientRequestSixteenMinutesLater_SignatureExpired(string name)
    {
        var request = _captured.Find(name);
        var time = Clock(request);
        time.Advance(TimeSpan.FromMinutes(16));

        var result = new SigV4Verifier(new FixedCredentials("stratus-test-key", "stratus-test-secret", "000000000000"), time, "us-east-1").Verify(request, "lambda");

        Assert.Equal(SigV4Errors.InvalidSignature, result.ErrorCode);
        Assert.StartsWith("Signature expired: ", result.Message);
    }

    [Fact]
    public void Verify_CliRequestForWrongService_ScopeMismatch()
    {
        var request = _captured.Find("cli sqs list-queues");

        Assert.Equal("Credential should be scoped to correct service: 'lambda'. ", Verifier(request).Verify(request, "lambda").Message);
    }

    private static string Service(string name) => name.Contains("sqs", StringComparison.Ordinal) ? "sqs" : "lambda";

    private static SigV4Verifier Verifier(SigV4Request request) =>
        new(new FixedCredentials("stratus-test-key", "stratus-test-secret", "000000000000"), Clock(request), "us-east-1");

    // The verifier's clock is set to the moment the client signed, so the checks do not depend on how long
    // the clients took.
    private static FakeTimeProvider Clock(SigV4Request request)
    {
        var date = request.Headers["x-amz-date"].ToString();
        if (date.Length == 0)
        {
            var query = request.RawTarget[(request.RawTarget.IndexOf('?', StringComparison.Ordinal) + 1)..];
            date = query.Split('&').First(p => p.StartsWith("X-Amz-Date=", StringComparison.Ordinal))["X-Amz-Date=".Length..];
        }

        return new FakeTimeProvider(DateTimeOffset.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal));
    }

    /// <summary>Runs the clients once against a capturing endpoint and keeps what they sent, by name.</summary>
    public sealed class Captured : IAsyncLifetime
    {
        private readonly ConcurrentDictionary<string, SigV4Request> _requests = new();
        private readonly ConcurrentQueue<SigV4Request> _arrivals = new();

        public SigV4Request Find(string name) =>
            _requests.TryGetValue(name, out var request) ? request : throw new Xunit.Sdk.XunitException($"{name} was not captured; got {_requests.Count} requests");

        public async Task InitializeAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            await using var app = builder.Build();
            app.Run(async context =>
            {
                var captured = await SigV4RequestReader.ReadAsync(context, 1 << 20, context.RequestAborted);
                if (captured is { } request)
                {
                    var headers = new HeaderDictionary();
                    foreach (var (key, value) in request.Headers)
                    {
                        headers[key] = value;
                    }

                    _arrivals.Enqueue(request with { Headers = headers, Body = request.Body.ToArray() });
                }

                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{}");
            });
            await app.StartAsync();
            var endpoint = app.Urls.First();
            var home = Path.Combine(Path.GetTempPath(), "stratus-sigv4-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(home);
            try
            {
                var lambda = new AwsCli(endpoint, home, "lambda", "stratus-test-key", "stratus-test-secret");
                await Take("cli list-functions", () => lambda.RunAsync("list-functions"));
                await Take("cli get-function", () => lambda.RunAsync("get-function", "--function-name", Arn));
                await Take("cli invoke", () => lambda.RunAsync("invoke", "--function-name", "my-fn", "--cli-binary-format", "raw-in-base64-out",
                    "--payload", "{\"hello\":\"cli\"}", Path.Combine(home, "out.json")));
                await Take("cli sqs list-queues", () => new AwsCli(endpoint, home, "sqs", "stratus-test-key", "stratus-test-secret").RunAsync("list-queues"));

                var root = AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/tests/", StringComparison.Ordinal)];
                var environment = new Dictionary<string, string>
                {
                    ["STRATUS_ENDPOINT"] = endpoint,
                    ["AWS_CONFIG_FILE"] = Path.Combine(home, "no-such-aws-config"),
                    ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "no-such-aws-credentials"),
                    ["AWS_EC2_METADATA_DISABLED"] = "true",
                    ["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true",
                };
                var output = await ExternalTool.RunAsync("node", ["tests/sdk/sigv4-client.mjs"], environment, root);
                var sdk = _arrivals.ToArray();
                _arrivals.Clear();
                Assert.True(sdk.Length == 3, $"the SDK sent {sdk.Length} requests\n{output.Stdout}\n{output.Stderr}");
                _requests["sdk GetFunction"] = sdk[0];
                _requests["sdk Invoke"] = sdk[1];
                _requests["sdk presigned"] = sdk[2];
            }
            finally
            {
                await app.StopAsync();
                Directory.Delete(home, recursive: true);
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;

        private async Task Take(string name, Func<Task<CliResult>> run)
        {
            var result = await run();
            Assert.True(_arrivals.TryDequeue(out var request), $"{name} sent nothing: {result.Stderr}");
            _requests[name] = request;
            _arrivals.Clear();
        }
    }
}
