using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stratus.Hosting;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// Drives Stratus with the real AWS CLI v2 (<c>/usr/bin/aws</c>) and checks what a user of the CLI
/// sees: exit codes, the JSON it prints, the files it writes and the error codes on stderr. Each test
/// gets its own server, so function names and counts never leak between tests.
/// </summary>
public sealed partial class AwsCliTests : IAsyncLifetime
{
    private const string Role = "arn:aws:iam::123456789012:role/lambda-role";

    // The CLI's exit code when the service answered with an error; 252 when it refused the command itself.
    private const int ServiceErrorExitCode = 254;
    private const int InvalidCommandExitCode = 252;

    // Where a function's PATH (/usr/local/bin:/usr/bin:/bin) finds curl.
    private static readonly string[] CurlLocations = ["/usr/local/bin/curl", "/usr/bin/curl", "/bin/curl"];

    private readonly string _work = Path.Combine(Path.GetTempPath(), "stratus-awscli-tests", Guid.NewGuid().ToString("N"));
    private StratusHost _host = null!;
    private AwsCli _aws = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(AwsCli.Program), $"The AWS CLI v2 is required at {AwsCli.Program} (Debian package awscli).");
        Directory.CreateDirectory(_work);
        _host = await StratusHost.StartAsync();
        _aws = new AwsCli(_host.Endpoint, _work);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Theory]
    [InlineData("nodejs20.x")]
    [InlineData("nodejs22.x")]
    [InlineData("python3.12")]
    [InlineData("python3.9")]
    [InlineData("provided.al2023")]
    [InlineData("provided")]
    public async Task CreateFunction_FromZipFile_BecomesActiveWithLambdaShapedConfigurationAndRuns(string runtime)
    {
        var (handler, zip, answeredBy) = runtime switch
        {
            "nodejs20.x" or "nodejs22.x" => ("index.handler", Zips.Create(("index.js", "exports.handler = async (event) => ({ runtime: 'node', echo: event });")), "node"),
            "python3.12" or "python3.9" => ("app.handler", Zips.Create(("app.py", "def handler(event, context):\n    return {'runtime': 'python', 'echo': event}\n")), "python"),
            _ => ("unused.handler", Zips.Create(("bootstrap", PythonBootstrap, (UnixFileMode?)Zips.Executable)), "provided"),
        };
        var name = NewName("create");

        var created = await CreateFunctionAsync(name, runtime, handler, zip);
        Assert.Equal(name, created["FunctionName"]!.GetValue<string>());
        Assert.Equal(runtime, created["Runtime"]!.GetValue<string>());
        Assert.Equal(handler, created["Handler"]!.GetValue<string>());
        Assert.Equal(Sha256Base64(zip), created["CodeSha256"]!.GetValue<string>());

        await _aws.SucceedsAsync("wait", "function-active-v2", "--function-name", name);

        var function = await _aws.JsonAsync("get-function", "--function-name", name);
        var configuration = await _aws.JsonAsync("get-function-configuration", "--function-name", name);
        Assert.False(string.IsNullOrEmpty(function["Code"]?["Location"]?.GetValue<string>()), "get-function must return Code.Location");
        foreach (var shown in new[] { function["Configuration"]!, configuration })
        {
            Assert.Equal("Active", shown["State"]!.GetValue<string>());
            Assert.Equal("Successful", shown["LastUpdateStatus"]!.GetValue<string>());
            Assert.Equal(Sha256Base64(zip), shown["CodeSha256"]!.GetValue<string>());
            Assert.Equal(zip.Length, shown["CodeSize"]!.GetValue<long>());
            Assert.Equal(created["RevisionId"]!.GetValue<string>(), shown["RevisionId"]!.GetValue<string>());
            Assert.Equal($"arn:aws:lambda:us-east-1:{StratusOptions.DefaultAccountId}:function:{name}", shown["FunctionArn"]!.GetValue<string>());
            Assert.Equal("$LATEST", shown["Version"]!.GetValue<string>());
            AssertLambdaTimestamp(shown["LastModified"]!.GetValue<string>());
        }

        var (response, payload) = await InvokeAsync(name, """{"hello":"world"}""");
        Assert.Equal(200, response["StatusCode"]!.GetValue<int>());
        Assert.Null(response["FunctionError"]);
        var result = JsonNode.Parse(payload)!;
        Assert.Equal(answeredBy, result["runtime"]!.GetValue<string>());
        Assert.Equal("world", result["echo"]!["hello"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListFunctions_CliPaginatorFollowsMarkersAndTokens()
    {
        var names = Enumerable.Range(1, 5).Select(i => NewName($"list{i}")).Order(StringComparer.Ordinal).ToList();
        await Task.WhenAll(names.Select(name => CreateFunctionAsync(name, "nodejs20.x", "index.handler", Zips.NodeEcho())));

        // --page-size: the CLI asks for 2 at a time and follows NextMarker until the end. Its --debug
        // log shows the requests, proving the server paged (2 + 2 + 1) rather than answering all at once.
        var paged = await _aws.SucceedsAsync("list-functions", "--page-size", "2", "--debug");
        var all = JsonNode.Parse(paged.Stdout)!;
        Assert.Equal(names, FunctionNames(all));
        Assert.Null(all["NextToken"]);
        var queries = ListFunctionsRequest().Matches(paged.Stderr).Select(m => m.Groups["query"].Value).ToList();
        Assert.Equal(3, queries.Count);
        Assert.Equal("'MaxItems': 2", queries[0]);
        Assert.All(queries.Skip(1), query => Assert.Matches("^'MaxItems': 2, 'Marker': '[^']+'$", query));

        // --max-items: the CLI stops after 2 and hands out a NextToken that --starting-token resumes from.
        var seen = new List<string>();
        var first = await _aws.JsonAsync("list-functions", "--max-items", "2");
        seen.AddRange(FunctionNames(first));
        Assert.Equal(2, seen.Count);
        var token = first["NextToken"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(token), "list-functions --max-items 2 must return a NextToken when 5 functions exist");
        for (var page = 0; token is not null && page < 5; page++)
        {
            var next = await _aws.JsonAsync("list-functions", "--max-items", "2", "--starting-token", token);
            var pageNames = FunctionNames(next);
            Assert.InRange(pageNames.Count, 1, 2);
            seen.AddRange(pageNames);
            token = next["NextToken"]?.GetValue<string>();
        }

        Assert.Null(token);
        Assert.Equal(names, seen);
    }

    [Fact]
    public async Task UpdateConfigurationAndCode_WaitersSucceedAndTheNextInvokeSeesTheChange()
    {
        var name = NewName("update");
        var created = await CreateFunctionAsync(name, "nodejs20.x", "index.handler", NodeProbe("v1"));
        var (_, before) = await InvokeAsync(name, "{}");
        Assert.Equal("v1", JsonNode.Parse(before)!["version"]!.GetValue<string>());
        Assert.Null(JsonNode.Parse(before)!["greeting"]);

        var updated = await _aws.JsonAsync(
            "update-function-configuration", "--function-name", name,
            "--memory-size", "256", "--timeout", "10", "--environment", "Variables={GREETING=hello-from-config}");
        Assert.NotEqual(created["RevisionId"]!.GetValue<string>(), updated["RevisionId"]!.GetValue<string>());
        await _aws.SucceedsAsync("wait", "function-updated-v2", "--function-name", name);

        var configuration = await _aws.JsonAsync("get-function-configuration", "--function-name", name);
        Assert.Equal(256, configuration["MemorySize"]!.GetValue<int>());
        Assert.Equal(10, configuration["Timeout"]!.GetValue<int>());
        Assert.Equal("hello-from-config", configuration["Environment"]!["Variables"]!["GREETING"]!.GetValue<string>());
        Assert.Equal("Successful", configuration["LastUpdateStatus"]!.GetValue<string>());
        var (_, afterConfiguration) = await InvokeAsync(name, "{}");
        Assert.Equal("hello-from-config", JsonNode.Parse(afterConfiguration)!["greeting"]!.GetValue<string>());

        var newCode = NodeProbe("v2");
        var codeUpdated = await _aws.JsonAsync("update-function-code", "--function-name", name, "--zip-file", WriteZip(name + "-v2", newCode));
        Assert.Equal(Sha256Base64(newCode), codeUpdated["CodeSha256"]!.GetValue<string>());
        Assert.NotEqual(created["CodeSha256"]!.GetValue<string>(), codeUpdated["CodeSha256"]!.GetValue<string>());
        Assert.Equal(newCode.Length, codeUpdated["CodeSize"]!.GetValue<long>());
        await _aws.SucceedsAsync("wait", "function-updated-v2", "--function-name", name);

        var (_, afterCode) = await InvokeAsync(name, "{}");
        var result = JsonNode.Parse(afterCode)!;
        Assert.Equal("v2", result["version"]!.GetValue<string>());
        Assert.Equal("hello-from-config", result["greeting"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invoke_EachInvocationType_ReturnsWhatTheCliShows()
    {
        var name = NewName("invoke");
        await CreateFunctionAsync(name, "nodejs20.x", "index.handler", NodeProbe("v1"));

        var (response, payload) = await InvokeAsync(name, """{"who":"cli-user"}""", "--log-type", "Tail");
        Assert.Equal(200, response["StatusCode"]!.GetValue<int>());
        Assert.Equal("$LATEST", response["ExecutedVersion"]!.GetValue<string>());
        Assert.Null(response["FunctionError"]);
        Assert.Equal("cli-user", JsonNode.Parse(payload)!["echo"]!["who"]!.GetValue<string>());
        var log = Encoding.UTF8.GetString(Convert.FromBase64String(response["LogResult"]!.GetValue<string>()));
        var start = StartLine().Match(log);
        Assert.True(start.Success, $"LogResult has no START line:\n{log}");
        var requestId = start.Groups["id"].Value;
        Assert.Contains($"END RequestId: {requestId}", log, StringComparison.Ordinal);
        Assert.Contains($"REPORT RequestId: {requestId}\tDuration: ", log, StringComparison.Ordinal);
        Assert.Contains("probe handling {\"who\":\"cli-user\"}", log, StringComparison.Ordinal);

        var (queued, queuedPayload) = await InvokeAsync(name, """{"who":"event"}""", "--invocation-type", "Event");
        Assert.Equal(202, queued["StatusCode"]!.GetValue<int>());
        Assert.Equal("", queuedPayload);

        var (dryRun, dryRunPayload) = await InvokeAsync(name, "{}", "--invocation-type", "DryRun");
        Assert.Equal(204, dryRun["StatusCode"]!.GetValue<int>());
        Assert.Equal("", dryRunPayload);
    }

    [Fact]
    public async Task Invoke_ThrowingAndTimedOutFunctions_ReportUnhandledErrorsAndTheFunctionRecovers()
    {
        var name = NewName("failing");
        await CreateFunctionAsync(name, "nodejs20.x", "index.handler", NodeProbe("v1"), "--timeout", "1");

        var (thrown, thrownPayload) = await InvokeAsync(name, """{"fail":"on purpose"}""");
        Assert.Equal(200, thrown["StatusCode"]!.GetValue<int>());
        Assert.Equal("Unhandled", thrown["FunctionError"]!.GetValue<string>());
        var error = JsonNode.Parse(thrownPayload)!;
        Assert.Equal("Error", error["errorType"]!.GetValue<string>());
        Assert.Equal("boom: on purpose", error["errorMessage"]!.GetValue<string>());
        Assert.NotNull(error["trace"]);

        var (timedOut, timedOutPayload) = await InvokeAsync(name, """{"sleepMs":5000}""");
        Assert.Equal(200, timedOut["StatusCode"]!.GetValue<int>());
        Assert.Equal("Unhandled", timedOut["FunctionError"]!.GetValue<string>());
        var timeout = JsonNode.Parse(timedOutPayload)!;
        Assert.Equal("Sandbox.Timedout", timeout["errorType"]!.GetValue<string>());
        Assert.Matches(TimeoutMessage(), timeout["errorMessage"]!.GetValue<string>());

        var (recovered, recoveredPayload) = await InvokeAsync(name, """{"after":"timeout"}""");
        Assert.Equal(200, recovered["StatusCode"]!.GetValue<int>());
        Assert.Null(recovered["FunctionError"]);
        Assert.Equal("timeout", JsonNode.Parse(recoveredPayload)!["echo"]!["after"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_AreReportedWithLambdaErrorCodes_AndAccountSettingsCountFunctions()
    {
        var missing = await _aws.RunAsync("get-function", "--function-name", NewName("missing"));
        AssertServiceError(missing, "ResourceNotFoundException", "GetFunction");

        var name = NewName("errors");
        await CreateFunctionAsync(name, "nodejs20.x", "index.handler", Zips.NodeEcho());
        var duplicate = await _aws.RunAsync(CreateArguments(name, "nodejs20.x", "index.handler", Zips.NodeEcho()));
        AssertServiceError(duplicate, "ResourceConflictException", "CreateFunction");

        var java = await _aws.RunAsync(CreateArguments(NewName("java"), "java21", "example.Handler::handleRequest", Zips.NodeEcho()));
        AssertServiceError(java, "InvalidParameterValueException", "CreateFunction");

        // The CLI checks minimums itself (MemorySize min 128 in its model) and never sends 64; maximums are the server's job.
        var tooSmall = await _aws.RunAsync([.. CreateArguments(NewName("small"), "nodejs20.x", "index.handler", Zips.NodeEcho()), "--memory-size", "64"]);
        Assert.Equal(InvalidCommandExitCode, tooSmall.ExitCode);
        Assert.Contains("Invalid value for parameter MemorySize, value: 64, valid min value: 128", tooSmall.Stderr, StringComparison.Ordinal);
        var tooLarge = await _aws.RunAsync("update-function-configuration", "--function-name", name, "--memory-size", "10241");
        AssertServiceError(tooLarge, "InvalidParameterValueException", "UpdateFunctionConfiguration");

        var settings = await _aws.JsonAsync("get-account-settings");
        Assert.True(settings["AccountLimit"]!["ConcurrentExecutions"]!.GetValue<int>() > 0, settings.ToJsonString());
        Assert.True(settings["AccountLimit"]!["CodeSizeZipped"]!.GetValue<long>() > 0, settings.ToJsonString());
        Assert.Equal(1, settings["AccountUsage"]!["FunctionCount"]!.GetValue<long>());

        var deleted = await _aws.SucceedsAsync("delete-function", "--function-name", name);
        Assert.Equal("", deleted.Stdout.Trim());
        var gone = await _aws.RunAsync("get-function", "--function-name", name);
        AssertServiceError(gone, "ResourceNotFoundException", "GetFunction");
        var after = await _aws.JsonAsync("get-account-settings");
        Assert.Equal(0, after["AccountUsage"]!["FunctionCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task AwsBashCustomRuntimeTutorial_RunsUnmodifiedOnProvidedAl2023()
    {
        // The tutorial's bootstrap calls curl; Stratus runs it from the machine, so curl must be installed.
        Assert.True(
            CurlLocations.Any(File.Exists),
            "curl is not installed: AWS's bash custom runtime tutorial needs it (apt-get install curl).");
        var name = NewName("bash-runtime");
        var zip = Zips.Create(("function.sh", TutorialFunctionSh, (UnixFileMode?)Zips.Executable), ("bootstrap", TutorialBootstrap, (UnixFileMode?)Zips.Executable));

        // aws lambda create-function --function-name bash-runtime --zip-file fileb://function.zip --handler function.handler --runtime provided.al2023 --role …
        var created = await CreateFunctionAsync(name, "provided.al2023", "function.handler", zip);
        Assert.Equal(Sha256Base64(zip), created["CodeSha256"]!.GetValue<string>());
        await _aws.SucceedsAsync("wait", "function-active-v2", "--function-name", name);

        // aws lambda invoke --function-name bash-runtime --payload '{"text":"Hello"}' response.txt --cli-binary-format raw-in-base64-out
        var (response, payload) = await InvokeAsync(name, """{"text":"Hello"}""");
        Assert.Equal(200, response["StatusCode"]!.GetValue<int>());
        Assert.Equal("$LATEST", response["ExecutedVersion"]!.GetValue<string>());
        Assert.Null(response["FunctionError"]);
        Assert.Equal("""Echoing request: '{"text":"Hello"}'""", payload);

        // The runtime keeps looping: a second event goes to the same bootstrap.
        var (_, second) = await InvokeAsync(name, """{"text":"again"}""");
        Assert.Equal("""Echoing request: '{"text":"again"}'""", second);
    }

    // AWS Lambda Developer Guide, "Tutorial – Publishing a custom runtime" (runtimes-walkthrough),
    // https://docs.aws.amazon.com/lambda/latest/dg/runtimes-walkthrough.html, copied verbatim from its
    // Markdown source: github.com/awsdocs/aws-lambda-developer-guide, doc_source/runtimes-walkthrough.md
    // at commit a83f69b (the last revision published on GitHub). Do not edit: the point is that the
    // documented text runs as is.
    private const string TutorialBootstrap = """
        #!/bin/sh

        set -euo pipefail

        # Initialization - load function handler
        source $LAMBDA_TASK_ROOT/"$(echo $_HANDLER | cut -d. -f1).sh"

        # Processing
        while true
        do
          HEADERS="$(mktemp)"
          # Get an event. The HTTP request will block until one is received
          EVENT_DATA=$(curl -sS -LD "$HEADERS" -X GET "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")

          # Extract request ID by scraping response headers received above
          REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)

          # Run the handler function from the script
          RESPONSE=$($(echo "$_HANDLER" | cut -d. -f2) "$EVENT_DATA")

          # Send the response
          curl -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response"  -d "$RESPONSE"
        done

        """;

    // Same tutorial and source: "Example function.sh".
    private const string TutorialFunctionSh = """
        function handler () {
          EVENT_DATA=$1
          echo "$EVENT_DATA" 1>&2;
          RESPONSE="Echoing request: '$EVENT_DATA'"

          echo $RESPONSE
        }

        """;

    // A custom runtime without curl: the Runtime API loop in Python's standard library.
    private const string PythonBootstrap = """
        #!/usr/bin/python3
        import json, os, urllib.request
        api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
        while True:
            with urllib.request.urlopen(api + "next") as reply:
                request_id = reply.headers["Lambda-Runtime-Aws-Request-Id"]
                event = json.load(reply)
            body = json.dumps({"runtime": "provided", "echo": event}).encode()
            urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", data=body)).close()

        """;

    /// <summary>A Node.js function that logs, echoes, reads GREETING, and can throw or sleep on request.</summary>
    private static byte[] NodeProbe(string version) => Zips.Create(("index.js", $$"""
        exports.handler = async (event) => {
          console.log('probe handling', JSON.stringify(event));
          if (event.fail) throw new Error('boom: ' + event.fail);
          if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
          return { version: '{{version}}', greeting: process.env.GREETING ?? null, echo: event };
        };
        """));

    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static string Sha256Base64(byte[] data) => Convert.ToBase64String(SHA256.HashData(data));

    private static List<string> FunctionNames(JsonNode list) =>
        [.. list["Functions"]!.AsArray().Select(f => f!["FunctionName"]!.GetValue<string>())];

    private static void AssertLambdaTimestamp(string lastModified)
    {
        Assert.Matches(LastModifiedFormat(), lastModified);
        var parsed = DateTimeOffset.ParseExact(lastModified, "yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(parsed, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    private static void AssertServiceError(CliResult result, string code, string operation)
    {
        Assert.True(result.ExitCode == ServiceErrorExitCode, $"{result.Command}: expected exit {ServiceErrorExitCode}, got {result.ExitCode}\nstderr: {result.Stderr}");
        Assert.Contains($"An error occurred ({code}) when calling the {operation} operation", result.Stderr, StringComparison.Ordinal);
    }

    private string WriteZip(string name, byte[] zip)
    {
        var path = Path.Combine(_work, name + ".zip");
        File.WriteAllBytes(path, zip);
        return "fileb://" + path;
    }

    private string[] CreateArguments(string name, string runtime, string handler, byte[] zip) =>
        ["create-function", "--function-name", name, "--runtime", runtime, "--handler", handler, "--role", Role, "--zip-file", WriteZip(name, zip)];

    private Task<JsonNode> CreateFunctionAsync(string name, string runtime, string handler, byte[] zip, params string[] options) =>
        _aws.JsonAsync([.. CreateArguments(name, runtime, handler, zip), .. options]);

    /// <summary>Runs <c>aws lambda invoke</c> with a JSON payload; returns what it printed and the outfile's text.</summary>
    private async Task<(JsonNode Response, string Payload)> InvokeAsync(string name, string payload, params string[] options)
    {
        var outfile = Path.Combine(_work, $"response-{Guid.NewGuid():N}.txt");
        var response = await _aws.JsonAsync(
            ["invoke", "--function-name", name, "--cli-binary-format", "raw-in-base64-out", "--payload", payload, .. options, outfile]);
        return (response, File.Exists(outfile) ? await File.ReadAllTextAsync(outfile) : "");
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")]
    private static partial Regex LastModifiedFormat();

    [GeneratedRegex(@"Making request for OperationModel\(name=ListFunctions\) with params: \{'url_path': '/2015-03-31/functions/', 'query_string': \{(?<query>[^}]*)\}")]
    private static partial Regex ListFunctionsRequest();

    [GeneratedRegex(@"START RequestId: (?<id>[0-9a-f-]{36}) Version: \$LATEST")]
    private static partial Regex StartLine();

    [GeneratedRegex(@"^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$")]
    private static partial Regex TimeoutMessage();
}
