using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Stratus.Tenancy;
using Stratus.Tenancy.SigV4;

namespace Stratus.Tests.Tenancy;

/// <summary>
/// A thread checks request after request: what one check remembers for the next (the path's canonical
/// form, the parsed date, the signing key) never lets a request pass on another's signature.
/// </summary>
public sealed class SigV4RepeatTests
{
    private const string KeyId = "AKIAREPEATTESTKEY001";
    private const string Secret = "RepeatTestSecretKey0123456789abcdefghijk";
    private const string Host = "127.0.0.1:9000";
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static SigV4Request Signed(string target, DateTimeOffset at, string service = "lambda", string secret = Secret)
    {
        var body = "{}"u8.ToArray();
        var (date, authorization) = SigV4Signer.Sign("POST", target, Host, null, body, KeyId, secret, "us-east-1", service, at);
        var headers = new HeaderDictionary { ["Host"] = Host, ["X-Amz-Date"] = date, ["Authorization"] = authorization };
        return new SigV4Request("POST", target, headers, body);
    }

    private static SigV4Verifier Verifier(ISecretLookup? secrets = null) =>
        new(secrets ?? new FixedCredentials(KeyId, Secret, "000000000001"), new FakeTimeProvider(Now), "us-east-1");

    [Fact]
    public void Verify_OnePathAfterAnother_EachAgainstItsOwnPath()
    {
        var verifier = Verifier();
        const string A = "/2015-03-31/functions/a/invocations";
        const string B = "/2015-03-31/functions/b/invocations";
        const string Arn = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000001%3Afunction%3Aa/invocations";
        var signedForA = Signed(A, Now);

        Assert.True(verifier.Verify(signedForA, "lambda").IsValid);
        Assert.Equal(SigV4Errors.InvalidSignature, verifier.Verify(signedForA with { RawTarget = B }, "lambda").ErrorCode);
        Assert.True(verifier.Verify(Signed(B, Now), "lambda").IsValid);
        Assert.Equal(SigV4Errors.InvalidSignature, verifier.Verify(Signed(B, Now) with { RawTarget = A }, "lambda").ErrorCode);
        Assert.True(verifier.Verify(Signed(Arn, Now), "lambda").IsValid);
        Assert.Equal(SigV4Errors.InvalidSignature, verifier.Verify(signedForA with { RawTarget = Arn }, "lambda").ErrorCode);
        Assert.True(verifier.Verify(signedForA, "lambda").IsValid);
    }

    [Fact]
    public void Verify_SamePathForTwoServices_EachInItsOwnCanonicalForm()
    {
        // S3 signs the path as sent; every other service encodes it once more, so %3A differs between them.
        var verifier = Verifier();
        const string Target = "/bucket/a%3Ab";

        Assert.True(verifier.Verify(Signed(Target, Now, "lambda"), "lambda").IsValid);
        Assert.True(verifier.Verify(Signed(Target, Now, "s3"), "s3").IsValid);
        Assert.True(verifier.Verify(Signed(Target, Now, "lambda"), "lambda").IsValid);
        Assert.Equal(SigV4Errors.InvalidSignature, verifier.Verify(Signed(Target, Now, "lambda"), "s3").ErrorCode);
    }

    [Fact]
    public void Verify_NextSecondsDateOnAnEarlierSignature_Refused()
    {
        var verifier = Verifier();
        const string Target = "/2015-03-31/functions/a/invocations";
        var first = Signed(Target, Now);
        var second = Signed(Target, Now.AddSeconds(1));
        var replayed = first with { Headers = new HeaderDictionary { ["Host"] = Host, ["X-Amz-Date"] = second.Headers["X-Amz-Date"], ["Authorization"] = first.Headers.Authorization } };

        Assert.True(verifier.Verify(first, "lambda").IsValid);
        Assert.True(verifier.Verify(second, "lambda").IsValid);
        Assert.Equal(SigV4Errors.InvalidSignature, verifier.Verify(replayed, "lambda").ErrorCode);
        Assert.True(verifier.Verify(first, "lambda").IsValid);
    }

    [Fact]
    public void Verify_DateAfterADateInTime_EachCheckedAgainstTheClock()
    {
        var verifier = Verifier();
        const string Target = "/2015-03-31/functions/a/invocations";
        Assert.True(verifier.Verify(Signed(Target, Now), "lambda").IsValid);

        var ahead = verifier.Verify(Signed(Target, Now.AddMinutes(16)), "lambda");
        var behind = verifier.Verify(Signed(Target, Now.AddMinutes(-16)), "lambda");

        Assert.StartsWith("Signature not yet current: 20261129T121600Z", ahead.Message, StringComparison.Ordinal);
        Assert.StartsWith("Signature expired: 20261129T114400Z", behind.Message, StringComparison.Ordinal);
        Assert.True(verifier.Verify(Signed(Target, Now), "lambda").IsValid);
    }

    [Fact]
    public void Verify_SecretReplacedBetweenChecks_OnlyTheNewSecretSigns()
    {
        var secrets = new ChangingSecret { Secret = Secret };
        var verifier = Verifier(secrets);
        const string Target = "/2015-03-31/functions/a/invocations";
        Assert.True(verifier.Verify(Signed(Target, Now), "lambda").IsValid);

        secrets.Secret = "AnotherSecretKey0123456789abcdefghijklmn";

        Assert.Equal(SigV4Errors.InvalidSignature, verifier.Verify(Signed(Target, Now), "lambda").ErrorCode);
        Assert.True(verifier.Verify(Signed(Target, Now, secret: secrets.Secret), "lambda").IsValid);
    }

    private sealed class ChangingSecret : ISecretLookup
    {
        public string Secret { get; set; } = "";

        public bool TryGetSecret(string accessKeyId, out string secret, out string accountId)
        {
            secret = Secret;
            accountId = "000000000001";
            return accessKeyId == KeyId;
        }
    }
}
