using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Stratus.Tenancy.SigV4;

namespace Stratus.Tests.Tenancy;

/// <summary>How the verifier fails, checked on AWS's get-vanilla and post-x-www-form-urlencoded requests.</summary>
public sealed class SigV4VerifierTests
{
    private const string VanillaSignature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    private const string FormSignature = "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a";
    private static readonly DateTimeOffset SigningTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static SigV4Request Vanilla(string signature = VanillaSignature, string? credential = null) =>
        credential is null
            ? SigV4TestVectorTests.Request("GET", "/", "host;x-amz-date", [], signature)
            : SigV4TestVectorTests.Request("GET", "/", "host;x-amz-date", [], signature, credential);

    private static SigV4Request Form(string body) => SigV4TestVectorTests.Request(
        "POST", "/", "content-type;host;x-amz-date", ["content-type", "application/x-www-form-urlencoded", "body", body], FormSignature);

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,SignedHeaders=host;x-amz-date,Signature=abc")]
    [InlineData("AWS4-HMAC-SHA256   Signature=abc,  SignedHeaders=host;x-amz-date , Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc\t")]
    public void ParseHeader_CommonAndOtherSpellings_SameParts(string header)
    {
        var authorization = SigV4Authorization.ParseHeader(header.Replace("\\t", "\t", StringComparison.Ordinal), hasDate: true, out var error);

        Assert.Null(error);
        Assert.Equal("AKIDEXAMPLE/20150830/us-east-1/service/aws4_request", authorization!.Credential.ToString());
        Assert.Equal("host;x-amz-date", authorization.SignedHeaders.ToString());
        Assert.Equal("abc", authorization.Signature.ToString());
        Assert.Equal("service", authorization.ScopeService.ToString());
    }

    [Fact]
    public void ParseHeader_CommonFormWithAShortCredential_TheGeneralError()
    {
        Assert.Null(SigV4Authorization.ParseHeader(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, SignedHeaders=host, Signature=abc", hasDate: true, out var error));
        Assert.Equal("IncompleteSignatureException", error!.ErrorCode);
        Assert.StartsWith("Credential must have exactly 5 slash-delimited elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_NoAuthorization_MissingAuthenticationToken()
    {
        var request = Vanilla();
        request.Headers.Remove("Authorization");

        var result = SigV4TestVectorTests.Verifier().Verify(request, "service");

        Assert.Equal(("MissingAuthenticationTokenException", 403, "Missing Authentication Token"), (result.ErrorCode, result.StatusCode, result.Message));
    }

    [Fact]
    public void Verify_HeaderWithoutSignature_IncompleteSignatureNamingWhatIsMissing()
    {
        var request = Vanilla();
        request.Headers.Authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date";

        var result = SigV4TestVectorTests.Verifier().Verify(request, "service");

        Assert.Equal("IncompleteSignatureException", result.ErrorCode);
        Assert.StartsWith("Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256", result.Message);
    }

    [Fact]
    public void Verify_BearerToken_IncompleteSignatureListingEveryPart()
    {
        var request = Vanilla();
        request.Headers.Authorization = "Bearer abc";
        request.Headers.Remove("X-Amz-Date");

        var result = SigV4TestVectorTests.Verifier().Verify(request, "service");

        Assert.Equal("IncompleteSignatureException", result.ErrorCode);
        Assert.Equal(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc",
            result.Message);
    }

    [Fact]
    public void Verify_PairWithoutEqualSign_IncompleteSignature()
    {
        var request = Vanilla();
        request.Headers.Authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + VanillaSignature;

        var result = SigV4TestVectorTests.Verifier().Verify(request, "service");

        Assert.Equal("IncompleteSignatureException", result.ErrorCode);
        Assert.StartsWith("'/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing equal-sign)", result.Message);
    }

    [Fact]
    public void Verify_ShortCredential_IncompleteSignature()
    {
        var result = SigV4TestVectorTests.Verifier().Verify(Vanilla(credential: "AKIDEXAMPLE/20150830/us-east-1"), "service");

        Assert.Equal("IncompleteSignatureException", result.ErrorCode);
        Assert.Contains("exactly 5 slash-delimited elements", result.Message);
    }

    [Fact]
    public void Verify_UnknownKey_UnrecognizedClient()
    {
        var result = SigV4TestVectorTests.Verifier().Verify(Vanilla(credential: "AKIDOTHER/20150830/us-east-1/service/aws4_request"), "service");

        Assert.Equal(("UnrecognizedClientException", 403, "The security token included in the request is invalid."), (result.ErrorCode, result.StatusCode, result.Message));
    }

    [Theory]
    [InlineData("0fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("5fa00fa3")]
    [InlineData("not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-")]
    public void Verify_WrongSignature_InvalidSignature(string signature)
    {
        var result = SigV4TestVectorTests.Verifier().Verify(Vanilla(signature), "service");

        Assert.Equal(SigV4Errors.InvalidSignature, result.ErrorCode);
        Assert.Equal(403, result.StatusCode);
        Assert.Equal("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", result.Message);
    }

    [Fact]
    public void Verify_UppercaseSignature_IsValid()
    {
        Assert.True(SigV4TestVectorTests.Verifier().Verify(Vanilla(VanillaSignature.ToUpperInvariant()), "service").IsValid);
    }

    [Fact]
    public void Verify_TamperedBody_InvalidSignature()
    {
        Assert.True(SigV4TestVectorTests.Verifier().Verify(Form("Param1=value1"), "service").IsValid);

        var result = SigV4TestVectorTests.Verifier().Verify(Form("Param1=value2"), "service");

        Assert.Equal(SigV4Errors.InvalidSignature, result.ErrorCode);
    }

    [Fact]
    public void Verify_TamperedBodyDeclaredUnchanged_InvalidSignature()
    {
        // A client-supplied body hash is never trusted: the server hashes what it received.
        var request = Form("Param1=value2");
        request.Headers["x-amz-content-sha256"] = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";

        Assert.Equal(SigV4Errors.InvalidSignature, SigV4TestVectorTests.Verifier().Verify(request, "service").ErrorCode);
    }

    [Theory]
    [InlineData("/other")]
    [InlineData("/?Param1=value1")]
    public void Verify_TamperedTarget_InvalidSignature(string target)
    {
        var request = Vanilla() with { RawTarget = target };

        Assert.Equal(SigV4Errors.InvalidSignature, SigV4TestVectorTests.Verifier().Verify(request, "service").ErrorCode);
    }

    [Fact]
    public void Verify_OtherHost_InvalidSignature()
    {
        var request = Vanilla();
        request.Headers.Host = "example.amazonaws.com:8080";

        Assert.Equal(SigV4Errors.InvalidSignature, SigV4TestVectorTests.Verifier().Verify(request, "service").ErrorCode);
    }

    [Fact]
    public void Verify_SignedSixteenMinutesAgo_SignatureExpired()
    {
        var time = new FakeTimeProvider(SigningTime);
        var verifier = SigV4TestVectorTests.Verifier(time);
        time.Advance(TimeSpan.FromMinutes(15));
        Assert.True(verifier.Verify(Vanilla(), "service").IsValid);

        time.Advance(TimeSpan.FromMinutes(1));
        var result = verifier.Verify(Vanilla(), "service");

        Assert.Equal(("InvalidSignatureException", 403), (result.ErrorCode, result.StatusCode));
        Assert.Equal("Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)", result.Message);
    }

    [Fact]
    public void Verify_SignedSixteenMinutesAhead_SignatureNotYetCurrent()
    {
        var result = SigV4TestVectorTests.Verifier(new FakeTimeProvider(SigningTime - TimeSpan.FromMinutes(16))).Verify(Vanilla(), "service");

        Assert.Equal(SigV4Errors.InvalidSignature, result.ErrorCode);
        Assert.Equal("Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)", result.Message);
    }

    [Theory]
    [InlineData("AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request", "Credential should be scoped to correct service: 'service'. ")]
    [InlineData("AKIDEXAMPLE/20150830/us-west-2/service/aws4_request", "Credential should be scoped to a valid region, not 'us-west-2'. ")]
    [InlineData("AKIDEXAMPLE/20150831/us-east-1/service/aws4_request", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'.")]
    [InlineData("AKIDEXAMPLE/20150830/us-east-1/service/aws5_request", "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.")]
    public void Verify_ScopeMismatch_InvalidSignatureSayingWhy(string credential, string message)
    {
        var result = SigV4TestVectorTests.Verifier().Verify(Vanilla(credential: credential), "service");

        Assert.Equal((SigV4Errors.InvalidSignature, 403, message), (result.ErrorCode, result.StatusCode, result.Message));
    }

    [Fact]
    public void Verify_HostNotSigned_InvalidSignature()
    {
        var request = SigV4TestVectorTests.Request("GET", "/", "x-amz-date", [], VanillaSignature);

        var result = SigV4TestVectorTests.Verifier().Verify(request, "service");

        Assert.Equal("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", result.Message);
    }

    [Fact]
    public void Verify_UnparsableDate_IncompleteSignature()
    {
        var request = Vanilla();
        request.Headers["X-Amz-Date"] = "yesterday";

        Assert.Equal("IncompleteSignatureException", SigV4TestVectorTests.Verifier().Verify(request, "service").ErrorCode);
    }

    [Fact]
    public void Verify_OverlongAuthorization_IncompleteSignature()
    {
        var request = Vanilla();
        request.Headers.Authorization = "AWS4-HMAC-SHA256 Credential=" + new string('A', 10_000);

        var result = SigV4TestVectorTests.Verifier().Verify(request, "service");

        Assert.Equal("IncompleteSignatureException", result.ErrorCode);
        Assert.True(result.Message!.Length < 1000);
    }

    [Fact]
    public void Verify_DateHeaderInsteadOfAmzDate_UsesItsIsoForm()
    {
        // get-vanilla signed x-amz-date; the same instant given as Date (and signed as such) gives a different
        // canonical request, so only the date's parsing and scope check are shared: it must not be Incomplete.
        var headers = new HeaderDictionary
        {
            ["Host"] = "example.amazonaws.com",
            ["Date"] = "Sun, 30 Aug 2015 12:36:00 GMT",
            ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=date;host, Signature=" + VanillaSignature,
        };

        var result = SigV4TestVectorTests.Verifier().Verify(new SigV4Request("GET", "/", headers, default), "service");

        Assert.Equal(SigV4Errors.Mismatch().Message, result.Message);
    }
}
