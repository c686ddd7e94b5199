using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Stratus.Tenancy.SigV4;

namespace Stratus.Tests.Tenancy;

/// <summary>
/// AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite: key AKIDEXAMPLE, service
/// <c>service</c>, us-east-1, 2015-08-30T12:36:00Z), each request given as it would arrive on the wire.
/// </summary>
public sealed class SigV4TestVectorTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Account = "111122223333";
    private const string Service = "service";
    private const string AmzDate = "20150830T123600Z";
    private static readonly DateTimeOffset SigningTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private const string Unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string StsToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    public static TheoryData<string, string, string, string, string[], string> Vectors() => new()
    {
        // name, method, raw target, signed headers, extra headers (name, value, …), signature
        { "get-vanilla", "GET", "/", "host;x-amz-date", [], "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "get-vanilla-empty-query-key", "GET", "/?Param1=value1", "host;x-amz-date", [], "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb" },
        { "get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", "host;x-amz-date", [], "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
        { "get-vanilla-query-unreserved", "GET", $"/?{Unreserved}={Unreserved}", "host;x-amz-date", [], "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197" },
        { "get-vanilla-utf8-query", "GET", "/?%E1%88%B4=bar", "host;x-amz-date", [], "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04" },
        { "get-unreserved", "GET", "/" + Unreserved, "host;x-amz-date", [], "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f" },
        { "get-utf8", "GET", "/\u1234", "host;x-amz-date", [], "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85" },
        { "get-header-key-duplicate", "GET", "/", "host;my-header1;x-amz-date", ["my-header1", "value2", "my-header1", "value2", "my-header1", "value1"], "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea" },
        { "get-header-value-multiline", "GET", "/", "host;my-header1;x-amz-date", ["my-header1", "value1,value2,value3"], "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790" },
        { "get-header-value-order", "GET", "/", "host;my-header1;x-amz-date", ["my-header1", "value4", "my-header1", "value1", "my-header1", "value3", "my-header1", "value2"], "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01" },
        { "get-header-value-trim", "GET", "/", "host;my-header1;my-header2;x-amz-date", ["my-header1", " value1", "my-header2", " \"a   b   c\" "], "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736" },
        { "post-vanilla", "POST", "/", "host;x-amz-date", [], "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
        { "post-header-key-sort", "POST", "/", "host;my-header1;x-amz-date", ["my-header1", "value1"], "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c" },
        { "post-header-value-case", "POST", "/", "host;my-header1;x-amz-date", ["my-header1", "VALUE1"], "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d" },
        { "post-sts-header-before", "POST", "/", "host;x-amz-date;x-amz-security-token", ["x-amz-security-token", StsToken], "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead" },
        { "post-vanilla-query", "POST", "/?Param1=value1", "host;x-amz-date", [], "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11" },
        { "post-vanilla-query-nonunreserved", "POST", "/?%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D", "host;x-amz-date", [], "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e" },
        { "post-vanilla-query-space", "POST", "/?p=", "host;x-amz-date", [], "e71688addb58a26418614085fb730ba3faa623b461c17f48f2fbdb9361b94a9b" },
        { "post-x-www-form-urlencoded", "POST", "/", "content-type;host;x-amz-date", ["content-type", "application/x-www-form-urlencoded", "body", "Param1=value1"], "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a" },
        { "post-x-www-form-urlencoded-parameters", "POST", "/", "content-type;host;x-amz-date", ["content-type", "application/x-www-form-urlencoded; charset=utf8", "body", "Param1=value1"], "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Verify_AwsTestSuiteRequest_IsValid(string name, string method, string target, string signedHeaders, string[] extra, string signature)
    {
        var result = Verifier().Verify(Request(method, target, signedHeaders, extra, signature), Service);

        Assert.True(result.IsValid, $"{name}: {result}");
        Assert.Equal(Account, result.AccountId);
        Assert.Equal(AccessKey, result.AccessKeyId);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Verify_AwsTestSuiteRequestWithWrongSecret_InvalidSignature(string name, string method, string target, string signedHeaders, string[] extra, string signature)
    {
        var verifier = new SigV4Verifier(new FixedCredentials(AccessKey, Secret + "x", Account), new FakeTimeProvider(SigningTime), "us-east-1");

        var result = verifier.Verify(Request(method, target, signedHeaders, extra, signature), Service);

        Assert.Equal(SigV4Errors.InvalidSignature, result.ErrorCode);
        Assert.True(result.StatusCode == 403, name);
    }

    [Fact]
    public void CanonicalRequest_FormBody_MatchesTheSuite()
    {
        var request = Request("POST", "/", "content-type;host;x-amz-date", ["content-type", "application/x-www-form-urlencoded", "body", "Param1=value1"], new string('0', 64));
        var authorization = SigV4Authorization.ParseHeader(request.Headers.Authorization.ToString(), hasDate: true, out _)!;
        var path = SigV4Canonicalizer.PathOf(request.RawTarget, out var query);

        var canonical = SigV4Verifier.CanonicalRequest(new Utf8Builder(), request, authorization, path, query, null).ToString();

        Assert.Equal("""
            POST
            /

            content-type:application/x-www-form-urlencoded
            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
            """.ReplaceLineEndings("\n"), canonical);
    }

    internal static SigV4Verifier Verifier(TimeProvider? time = null) =>
        new(new FixedCredentials(AccessKey, Secret, Account), time ?? new FakeTimeProvider(SigningTime), "us-east-1");

    internal static SigV4Request Request(string method, string target, string signedHeaders, string[] extra, string signature,
        string credential = $"{AccessKey}/20150830/us-east-1/{Service}/aws4_request")
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = "example.amazonaws.com",
            ["X-Amz-Date"] = AmzDate,
            ["Authorization"] = $"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signedHeaders}, Signature={signature}",
        };
        var body = "";
        for (var i = 0; i < extra.Length; i += 2)
        {
            if (extra[i] == "body")
            {
                body = extra[i + 1];
                continue;
            }

            headers[extra[i]] = StringValues.Concat(headers[extra[i]], extra[i + 1]);
        }

        return new SigV4Request(method, target, headers, Encoding.UTF8.GetBytes(body));
    }
}
