using System.Text.RegularExpressions;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.EndToEnd;

/// <summary>Function URLs through the real AWS CLI v2, then the URL it printed through the real curl.</summary>
public sealed partial class FunctionUrlCliTests : IAsyncLifetime
{
    private const int ServiceErrorExitCode = 254;
    private readonly string _work = Path.Combine(Path.GetTempPath(), "stratus-awscli-tests", Guid.NewGuid().ToString("N"));
    private StratusHost _host = null!;
    private AwsCli _aws = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(AwsCli.Program), $"The AWS CLI v2 is required at {AwsCli.Program} (Debian package awscli).");
        Directory.CreateDirectory(_work);
        _host = await StratusHost.StartAsync();
        _aws = new AwsCli(_host.Endpoint, _work);
        await _host.CreateFunctionAsync("site", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ path: event.rawPath, query: event.queryStringParameters }) });
            """)));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task FunctionUrlCommands_CreateGetUpdateListDelete_UrlAnswersCurlWhileItExists()
    {
        var created = await _aws.JsonAsync("create-function-url-config", "--function-name", "site", "--auth-type", "NONE", "--cors", "AllowOrigins=https://app.example,AllowMethods=GET,MaxAge=60");
        var url = (string)created["FunctionUrl"]!;
        var served = await Curl.RunAsync(url + "hello?name=stratus");
        var fetched = await _aws.JsonAsync("get-function-url-config", "--function-name", "site");
        var updated = await _aws.JsonAsync("update-function-url-config", "--function-name", "site", "--auth-type", "AWS_IAM");
        var refused = await Curl.RunAsync(url);
        var listed = await _aws.JsonAsync("list-function-url-configs", "--function-name", "site");
        var again = await _aws.RunAsync("create-function-url-config", "--function-name", "site", "--auth-type", "NONE");
        await _aws.SucceedsAsync("delete-function-url-config", "--function-name", "site");
        var gone = await _aws.RunAsync("get-function-url-config", "--function-name", "site");
        var afterDelete = await Curl.RunAsync(url);

        Assert.Matches(UrlPattern(), url);
        Assert.StartsWith(_host.Endpoint + "/lambda-url/", url);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:site", (string?)created["FunctionArn"]);
        Assert.Equal("NONE", (string?)created["AuthType"]);
        Assert.Equal("https://app.example", (string?)created["Cors"]!["AllowOrigins"]![0]);
        Assert.Equal(60, (int?)created["Cors"]!["MaxAge"]);
        Assert.False(string.IsNullOrEmpty((string?)created["CreationTime"]));

        Assert.Equal(200, served.Status);
        Assert.Equal("""{"path":"/hello","query":{"name":"stratus"}}""", served.Text);

        Assert.Equal(url, (string?)fetched["FunctionUrl"]);
        Assert.False(string.IsNullOrEmpty((string?)fetched["LastModifiedTime"]));
        Assert.Equal(url, (string?)updated["FunctionUrl"]);
        Assert.Equal("AWS_IAM", (string?)updated["AuthType"]);
        Assert.Equal("https://app.example", (string?)updated["Cors"]!["AllowOrigins"]![0]);
        Assert.Equal(403, refused.Status);
        Assert.Equal(url, (string?)listed["FunctionUrlConfigs"]![0]!["FunctionUrl"]);
        Assert.Single(listed["FunctionUrlConfigs"]!.AsArray());

        Assert.Equal(ServiceErrorExitCode, again.ExitCode);
        Assert.Contains("ResourceConflictException", again.Stderr);
        Assert.Equal(ServiceErrorExitCode, gone.ExitCode);
        Assert.Contains("ResourceNotFoundException", gone.Stderr);
        Assert.Equal(403, afterDelete.Status);
    }

    [Fact]
    public async Task FunctionUrlCommands_LatestQualifierWorksOthersNameNothing()
    {
        var latest = await _aws.JsonAsync("create-function-url-config", "--function-name", "site", "--qualifier", "$LATEST", "--auth-type", "NONE");
        var alias = await _aws.RunAsync("get-function-url-config", "--function-name", "site", "--qualifier", "prod");
        var noFunction = await _aws.RunAsync("create-function-url-config", "--function-name", "nothing-here", "--auth-type", "NONE");
        var badAuth = await _aws.RunAsync("create-function-url-config", "--function-name", "site", "--auth-type", "PASSWORD");

        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:site", (string?)latest["FunctionArn"]);
        Assert.Equal(ServiceErrorExitCode, alias.ExitCode);
        Assert.Contains("ResourceNotFoundException", alias.Stderr);
        Assert.Equal(ServiceErrorExitCode, noFunction.ExitCode);
        Assert.Contains("ResourceNotFoundException", noFunction.Stderr);
        Assert.Equal(ServiceErrorExitCode, badAuth.ExitCode);
        Assert.Contains("ValidationException", badAuth.Stderr);
    }

    [GeneratedRegex(@"^http://127\.0\.0\.1:\d+/lambda-url/[a-z0-9]{32}/$")]
    private static partial Regex UrlPattern();
}
