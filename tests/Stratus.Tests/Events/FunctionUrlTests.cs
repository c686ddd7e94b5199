using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Events;

/// <summary>
/// Function URLs as a user reaches them: the real <c>curl</c> against a real node function that echoes
/// the event it got (payload format 2.0) or answers in the shapes Lambda maps to HTTP.
/// </summary>
public sealed partial class FunctionUrlTests : IAsyncLifetime
{
    private const string Handler = """
        exports.handler = async (event) => {
          switch (event.rawPath) {
            case '/binary':
              return { statusCode: 201, headers: { 'content-type': 'application/octet-stream', 'x-out': 'yes' },
                       body: Buffer.from([0, 1, 2, 254, 255]).toString('base64'), isBase64Encoded: true,
                       cookies: ['session=abc; Path=/; HttpOnly', 'theme=dark; Max-Age=60'] };
            case '/string': return 'hello';
            case '/number': return 42;
            case '/object': return { hello: 'world' };
            case '/teapot': return { statusCode: '418', body: "i'm a teapot" };
            case '/cors': return { statusCode: 200, headers: { 'access-control-allow-origin': 'https://evil.example' }, body: 'ok' };
            case '/framing': return { statusCode: 200, headers: { 'transfer-encoding': 'chunked', 'connection': 'close', 'content-length': '99' }, body: 'framed by the server' };
            case '/split': return { statusCode: 200, headers: { 'x-split': 'a\r\nx-injected: 1' }, body: 'no' };
            case '/missing': return { statusCode: 404 };
            case '/empty': return { statusCode: 204, body: 'dropped' };
            case '/error': throw new Error('boom');
            case '/slow': await new Promise((resolve) => setTimeout(resolve, 60000)); return 'late';
            default:
              return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
          }
        };
        """;

    private StratusHost _host = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Curl.Program), $"curl is required at {Curl.Program}");
        _host = await StratusHost.StartAsync();
        await _host.CreateFunctionAsync("web", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Get_HeadersCookiesAndQuery_FunctionSeesPayloadFormat2()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");

        var response = await Curl.RunAsync(
            url + "shop/items%2F7?color=red&size=m&color=blue%20green",
            "-H", "X-Custom-Header: first", "-H", "x-custom-header: second", "-H", "Cookie: session=abc; theme=dark", "-A", "curl-test/1.0");
        var apiId = UrlId(url);

        Assert.Equal(200, response.Status);
        var e = response.Json;
        Assert.Equal("2.0", (string?)e["version"]);
        Assert.Equal("$default", (string?)e["routeKey"]);
        Assert.Equal("/shop/items%2F7", (string?)e["rawPath"]);
        Assert.Equal("color=red&size=m&color=blue%20green", (string?)e["rawQueryString"]);
        Assert.Equal(["session=abc", "theme=dark"], e["cookies"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("first,second", (string?)e["headers"]!["x-custom-header"]);
        Assert.Equal("curl-test/1.0", (string?)e["headers"]!["user-agent"]);
        Assert.Null(e["headers"]!["cookie"]);
        Assert.All(e["headers"]!.AsObject(), header => Assert.Equal(header.Key.ToLowerInvariant(), header.Key));
        Assert.Equal("red,blue green", (string?)e["queryStringParameters"]!["color"]);
        Assert.Equal("m", (string?)e["queryStringParameters"]!["size"]);
        var context = e["requestContext"]!;
        Assert.Equal("anonymous", (string?)context["accountId"]);
        Assert.Equal(apiId, (string?)context["apiId"]);
        Assert.Equal(apiId, (string?)context["domainPrefix"]);
        Assert.Equal("GET", (string?)context["http"]!["method"]);
        Assert.Equal("/shop/items%2F7", (string?)context["http"]!["path"]);
        Assert.Equal("HTTP/1.1", (string?)context["http"]!["protocol"]);
        Assert.Equal("127.0.0.1", (string?)context["http"]!["sourceIp"]);
        Assert.Equal("curl-test/1.0", (string?)context["http"]!["userAgent"]);
        Assert.Equal("$default", (string?)context["stage"]);
        Assert.Equal("$default", (string?)context["routeKey"]);
        Assert.Equal(response.Header("x-amzn-RequestId"), (string?)context["requestId"]);
        Assert.Matches(LambdaTime(), (string?)context["time"]);
        Assert.True((long?)context["timeEpoch"] > 1_600_000_000_000);
        Assert.False((bool?)e["isBase64Encoded"]);
        Assert.Null(e["body"]);
        Assert.Null(e["pathParameters"]);
        Assert.Null(e["stageVariables"]);
    }

    [Fact]
    public async Task Get_NoQueryNoCookies_LeavesThemOut()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");

        var e = (await Curl.RunAsync(url.TrimEnd('/'))).Json;

        Assert.Equal("/", (string?)e["rawPath"]);
        Assert.Equal("", (string?)e["rawQueryString"]);
        Assert.Null(e["queryStringParameters"]);
        Assert.Null(e["cookies"]);
    }

    [Fact]
    public async Task Post_BinaryBody_ArrivesBase64WithEveryByte()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var file = Curl.TempFile(bytes);

        var e = (await Curl.RunAsync(url + "upload", "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file)).Json;
        File.Delete(file);

        Assert.True((bool?)e["isBase64Encoded"]);
        Assert.Equal(bytes, Convert.FromBase64String((string)e["body"]!));
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8", "caf\u00e9 au lait", false)]
    [InlineData("application/json", """{"k":"v"}""", false)]
    [InlineData("application/x-www-form-urlencoded", "a=1&b=2", true)]
    public async Task Post_TextOrFormBody_EncodedAsLambdaDoes(string contentType, string body, bool base64)
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");

        var e = (await Curl.RunAsync(url + "form", "-H", "Content-Type: " + contentType, "--data-binary", body)).Json;

        Assert.Equal(base64, (bool?)e["isBase64Encoded"]);
        var received = (string)e["body"]!;
        Assert.Equal(body, base64 ? Encoding.UTF8.GetString(Convert.FromBase64String(received)) : received);
    }

    [Fact]
    public async Task Get_Base64ResultWithCookies_RawBytesAndOneSetCookieEach()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");

        var response = await Curl.RunAsync(url + "binary");

        Assert.Equal(201, response.Status);
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, response.Body);
        Assert.Equal("application/octet-stream", response.Header("Content-Type"));
        Assert.Equal("yes", response.Header("x-out"));
        Assert.Equal(["session=abc; Path=/; HttpOnly", "theme=dark; Max-Age=60"], response.All("Set-Cookie"));
    }

    [Theory]
    [InlineData("string", 200, "hello")]
    [InlineData("number", 200, "42")]
    [InlineData("object", 200, """{"hello":"world"}""")]
    [InlineData("teapot", 418, "i'm a teapot")]
    [InlineData("framing", 200, "framed by the server")]
    [InlineData("split", 502, "Internal Server Error")]
    [InlineData("missing", 404, "")]
    [InlineData("empty", 204, "")]
    public async Task Get_ResultShapes_MappedAsLambdaDoes(string path, int status, string body)
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");

        var response = await Curl.RunAsync(url + path);

        Assert.Equal(status, response.Status);
        Assert.Equal(body, response.Text);
        Assert.Equal(status == 502 ? "text/plain; charset=utf-8" : "application/json", response.Header("Content-Type"));
        Assert.Null(response.Header("x-injected"));
        Assert.Null(response.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task Get_FunctionThrows_Answers502AndTheLogIsKept()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");

        var response = await Curl.RunAsync(url + "error");
        var logs = await _host.Http.GetStringAsync("/stratus/v1/functions/web/logs?limit=5");

        Assert.Equal(502, response.Status);
        Assert.Equal("Internal Server Error", response.Text);
        Assert.Contains(response.Header("x-amzn-RequestId")!, logs);
        Assert.Contains("boom", logs);
    }

    [Fact]
    public async Task Get_FunctionTimesOut_Answers502()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");

        var response = await Curl.RunAsync(url + "slow");
        var logs = await _host.Http.GetStringAsync("/stratus/v1/functions/web/logs?limit=5");

        Assert.Equal(502, response.Status);
        Assert.Equal("Internal Server Error", response.Text);
        Assert.Contains("Task timed out", logs);
    }

    [Fact]
    public async Task Get_UnknownUrl_ForbiddenAsLambdaAnswers()
    {
        var response = await Curl.RunAsync(_host.Endpoint + "/lambda-url/" + new string('b', 32) + "/x");

        Assert.Equal(403, response.Status);
        Assert.Equal("Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html", (string?)response.Json["Message"]);
    }

    [Fact]
    public async Task Options_CorsPreflight_AnsweredFromTheConfigWithoutInvoking()
    {
        var url = await CreateUrlAsync("""
            {"AuthType":"NONE","Cors":{"AllowOrigins":["https://app.example"],"AllowMethods":["GET","POST"],"AllowHeaders":["x-custom"],"ExposeHeaders":["x-out"],"MaxAge":300,"AllowCredentials":true}}
            """);

        var preflight = await Curl.RunAsync(url + "anything", "-X", "OPTIONS", "-H", "Origin: https://app.example", "-H", "Access-Control-Request-Method: POST", "-H", "Access-Control-Request-Headers: x-custom");
        var stranger = await Curl.RunAsync(url + "anything", "-X", "OPTIONS", "-H", "Origin: https://other.example", "-H", "Access-Control-Request-Method: POST");
        var logs = JsonNode.Parse(await _host.Http.GetStringAsync("/stratus/v1/functions/web/logs"))!;

        Assert.Equal(200, preflight.Status);
        Assert.Equal("https://app.example", preflight.Header("Access-Control-Allow-Origin"));
        Assert.Equal("GET,POST", preflight.Header("Access-Control-Allow-Methods"));
        Assert.Equal("x-custom", preflight.Header("Access-Control-Allow-Headers"));
        Assert.Equal("300", preflight.Header("Access-Control-Max-Age"));
        Assert.Equal("true", preflight.Header("Access-Control-Allow-Credentials"));
        Assert.Null(stranger.Header("Access-Control-Allow-Origin"));
        Assert.Empty(logs["Events"]!.AsArray());
    }

    [Fact]
    public async Task Get_CorsOrigin_ConfiguredHeadersTakePrecedenceOverTheFunctions()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE","Cors":{"AllowOrigins":["*"],"ExposeHeaders":["x-out"]}}""");

        var allowed = await Curl.RunAsync(url + "cors", "-H", "Origin: https://app.example");
        var noOrigin = await Curl.RunAsync(url + "string");

        Assert.Equal("*", allowed.Header("Access-Control-Allow-Origin"));
        Assert.Single(allowed.All("Access-Control-Allow-Origin"));
        Assert.Equal("x-out", allowed.Header("Access-Control-Expose-Headers"));
        Assert.Null(noOrigin.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Get_AwsIam_UnsignedRefusedSignedAccepted()
    {
        var url = await CreateUrlAsync("""{"AuthType":"AWS_IAM"}""");

        var unsigned = await Curl.RunAsync(url + "private");
        var signed = await Curl.RunAsync(url + "private", "--aws-sigv4", "aws:amz:us-east-1:lambda", "--user", $"{TestCredentials.AccessKeyId}:{TestCredentials.Secret}");
        var wrongSecret = await Curl.RunAsync(url + "private", "--aws-sigv4", "aws:amz:us-east-1:lambda", "--user", $"{TestCredentials.AccessKeyId}:not-the-secret");

        Assert.Equal(403, unsigned.Status);
        Assert.Equal("AccessDeniedException", unsigned.Header("x-amzn-ErrorType"));
        Assert.Equal("""{"Message":"Forbidden"}""", unsigned.Text);
        Assert.Equal(403, wrongSecret.Status);
        Assert.Equal(200, signed.Status);
        Assert.Equal(TestCredentials.AccessKeyId, (string?)signed.Json["requestContext"]!["authorizer"]!["iam"]!["accessKey"]);
        Assert.Equal("000000000000", (string?)signed.Json["requestContext"]!["accountId"]);
    }

    [Fact]
    public async Task Get_HostHeaderNamesTheUrl_ServedAsOnLambdasOwnDomain()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");
        var domain = UrlId(url) + ".lambda-url.us-east-1.on.aws";

        var e = (await Curl.RunAsync(_host.Endpoint + "/by/host?x=1", "-H", "Host: " + domain)).Json;

        Assert.Equal("/by/host", (string?)e["rawPath"]);
        Assert.Equal(domain, (string?)e["requestContext"]!["domainName"]);
    }

    [Fact]
    public async Task Get_UnknownOrDeletedUrl_Forbidden()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");

        var unknown = await Curl.RunAsync(_host.Endpoint + "/lambda-url/" + new string('a', 32) + "/");
        using var deleted = await _host.Http.DeleteAsync("/2015-03-31/functions/web");
        var afterDelete = await Curl.RunAsync(url);

        Assert.Equal(403, unknown.Status);
        Assert.Equal(403, afterDelete.Status);
        Assert.Equal("AccessDeniedException", afterDelete.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task Post_OverSixMegabytes_Answers413()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");
        var file = Curl.TempFile(new byte[(6 * 1024 * 1024) + 1]);

        var response = await Curl.RunAsync(url, "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file);
        File.Delete(file);

        Assert.Equal(413, response.Status);
        Assert.Equal("RequestTooLargeException", response.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task Get_NoConcurrencyLeft_Answers429()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");
        using var reserved = await _host.Http.PutAsync("/2017-10-31/functions/web/concurrency", new StringContent("""{"ReservedConcurrentExecutions":0}"""));
        Assert.Equal(HttpStatusCode.OK, reserved.StatusCode);

        var response = await Curl.RunAsync(url);

        Assert.Equal(429, response.Status);
        Assert.Equal("TooManyRequestsException", response.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task Url_AfterRestart_SameAddressStillServes()
    {
        var url = await CreateUrlAsync("""{"AuthType":"NONE"}""");
        var id = UrlId(url);

        await _host.Server.DisposeAsync();
        await using var restarted = await StratusHost.StartAsync(dataDirectory: _host.DataDirectory);
        var response = await Curl.RunAsync(restarted.Endpoint + "/lambda-url/" + id + "/string");

        Assert.Equal("hello", response.Text);
    }

    private async Task<string> CreateUrlAsync(string body)
    {
        using var response = await _host.Http.PostAsync("/2021-10-31/functions/web/url", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return (string)JsonNode.Parse(text)!["FunctionUrl"]!;
    }

    private static string UrlId(string functionUrl) => UrlPath().Match(functionUrl).Groups[1].Value;

    [GeneratedRegex("/lambda-url/([a-z0-9]{32})/$")]
    private static partial Regex UrlPath();

    [GeneratedRegex(@"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$")]
    private static partial Regex LambdaTime();
}
