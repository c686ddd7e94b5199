using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>
/// C# functions published with the real <c>dotnet publish</c> (tests/functions/dotnet), deployed as zips
/// and invoked through a real server: the dotnet10 and dotnet8 runtimes and NativeAOT on provided.al2023.
/// </summary>
public sealed class DotnetRuntimeTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Invoke_TypedHandlerWithContext_ReturnsSerialisedResultAndLogs()
    {
        await _host.CreateFunctionAsync("cs-greet", "dotnet10", "Handlers::Handlers.Signatures::Greet", await DotnetBuilds.PublishAsync("Handlers"), memory: 256);

        var result = await _host.InvokeAsync("cs-greet", """{"name":"Ada","age":36}""", tail: true);

        Assert.Null(result.FunctionError);
        var body = result.Json;
        Assert.Equal("Hello Ada, 36", (string)body["Message"]!);
        Assert.Equal("cs-greet", (string)body["FunctionName"]!);
        Assert.Equal("$LATEST", (string)body["FunctionVersion"]!);
        Assert.Equal(256, (int)body["Memory"]!);
        Assert.True((bool)body["RemainingOk"]!);
        Assert.Equal("AWS_Lambda_dotnet10", (string)body["Runtime"]!);
        Assert.Contains("greeting Ada\n", result.Log);
        Assert.Contains($"END RequestId: {(string)body["RequestId"]!}", result.Log);
    }

    [Theory]
    [InlineData("Upper", "\"abc\"", "\"ABC\"")]
    [InlineData("Nothing", "{}", "null")]
    [InlineData("NoInput", "{\"ignored\":true}", "\"no input\"")]
    [InlineData("ContextOnly", "{}", "\"cs-sig\"")]
    [InlineData("SumAsync", "[1,2,3]", "6")]
    [InlineData("TaskOnlyAsync", "{\"Name\":\"Bo\",\"Age\":1}", "null")]
    [InlineData("ValueTaskAsync", "\"v\"", "\"v/cs-sig\"")]
    [InlineData("ValueTaskOnly", "\"v\"", "null")]
    [InlineData("Reverse", "[1,2]", "]2,1[")]
    [InlineData("StreamAsync", "{\"raw\": 1}", "{\"raw\": 1}")]
    public async Task Invoke_EachSupportedSignature_ReturnsWhatTheHandlerGave(string method, string payload, string expected)
    {
        await _host.CreateFunctionAsync("cs-sig", "dotnet10", $"Handlers::Handlers.Signatures::{method}", await DotnetBuilds.PublishAsync("Handlers"));

        var result = await _host.InvokeAsync("cs-sig", payload);

        Assert.Null(result.FunctionError);
        Assert.Equal(expected, result.Body);
    }

    [Fact]
    public async Task Invoke_InstanceHandler_IsConstructedOnceAndKeepsStateWhileWarm()
    {
        await _host.CreateFunctionAsync("cs-count", "dotnet10", "Handlers::Handlers.Counter::Next", await DotnetBuilds.PublishAsync("Handlers"));

        var first = (await _host.InvokeAsync("cs-count")).Json;
        var second = (await _host.InvokeAsync("cs-count")).Json;

        Assert.Equal(1, (int)first["count"]!);
        Assert.Equal(2, (int)second["count"]!);
        Assert.Equal((string)first["instance"]!, (string)second["instance"]!);
    }

    [Fact]
    public async Task Invoke_HandlerThrows_ReturnsExceptionTypeMessageAndStackTraceThenKeepsServing()
    {
        await _host.CreateFunctionAsync("cs-throw", "dotnet10", "Handlers::Handlers.Failures::Throw", await DotnetBuilds.PublishAsync("Handlers"));

        var failed = await _host.InvokeAsync("cs-throw", """{"name":"Eve"}""", tail: true);
        var again = await _host.InvokeAsync("cs-throw", """{"name":"Mallory"}""");

        Assert.Equal("Unhandled", failed.FunctionError);
        Assert.Equal("CustomerNotFoundException", (string)failed.Json["errorType"]!);
        Assert.Equal("no customer named Eve", (string)failed.Json["errorMessage"]!);
        Assert.Contains("Handlers.Failures.Throw", failed.Json["stackTrace"]![0]!.ToString());
        Assert.Contains("CustomerNotFoundException: no customer named Eve", failed.Log);
        Assert.Equal("no customer named Mallory", (string)again.Json["errorMessage"]!);
    }

    [Fact]
    public async Task Invoke_AsyncHandlerThrows_ReportsTheThrownExceptionNotAWrapper()
    {
        await _host.CreateFunctionAsync("cs-throw-async", "dotnet10", "Handlers::Handlers.Failures::ThrowAsync", await DotnetBuilds.PublishAsync("Handlers"));

        var failed = await _host.InvokeAsync("cs-throw-async", "\"x\"");

        Assert.Equal("Unhandled", failed.FunctionError);
        Assert.Equal("InvalidOperationException", (string)failed.Json["errorType"]!);
        Assert.Equal("async failure: x", (string)failed.Json["errorMessage"]!);
        Assert.Contains(failed.Json["stackTrace"]!.AsArray(), line => line!.ToString().Contains("Failures.ThrowAsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invoke_HandlerRunsPastTimeout_ReturnsSandboxTimedout()
    {
        await _host.CreateFunctionAsync("cs-hang", "dotnet10", "Handlers::Handlers.Failures::HangAsync", await DotnetBuilds.PublishAsync("Handlers"), timeout: 1);

        var result = await _host.InvokeAsync("cs-hang");

        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("Sandbox.Timedout", (string)result.Json["errorType"]!);
        Assert.EndsWith("Task timed out after 1.00 seconds", (string)result.Json["errorMessage"]!);
    }

    [Theory]
    [InlineData("Handlers::Handlers.Nope::Run", "Runtime.InvalidEntrypoint", "Unable to find type 'Handlers.Nope' in assembly 'Handlers'")]
    [InlineData("Missing::Handlers.Signatures::Upper", "Runtime.InvalidEntrypoint", "Could not find the assembly 'Missing.dll' of the handler in the function's code")]
    [InlineData("Handlers::Handlers.Signatures::Absent", "Runtime.InvalidEntrypoint", "Unable to find public method 'Absent' on type 'Handlers.Signatures'")]
    [InlineData("Handlers.Signatures.Upper", "Runtime.InvalidEntrypoint", "Handler 'Handlers.Signatures.Upper' is not in the form Assembly::Namespace.Type::Method")]
    [InlineData("Handlers::Handlers.BrokenConstructor::Handle", "InvalidOperationException", "constructor failed")]
    public async Task Invoke_HandlerCannotBeLoaded_ReturnsInitError(string handler, string errorType, string message)
    {
        await _host.CreateFunctionAsync("cs-bad", "dotnet10", handler, await DotnetBuilds.PublishAsync("Handlers"));

        var result = await _host.InvokeAsync("cs-bad");

        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal(errorType, (string)result.Json["errorType"]!);
        Assert.Equal(message, (string)result.Json["errorMessage"]!);
    }

    [Fact]
    public async Task Invoke_QueueBatchWithSourceGeneratedSerializer_ReportsItemFailures()
    {
        await _host.CreateFunctionAsync("cs-queue", "dotnet10", "Handlers::Handlers.Events::Queue", await DotnetBuilds.PublishAsync("Handlers"));

        var result = await _host.InvokeAsync("cs-queue", """
            {"Records":[
              {"messageId":"m1","receiptHandle":"r1","body":"ok","attributes":{"ApproximateReceiveCount":"1"},"messageAttributes":{"k":{"stringValue":"v","dataType":"String"}},"md5OfBody":"x","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:000000000000:q","awsRegion":"us-east-1"},
              {"messageId":"m2","receiptHandle":"r2","body":"fail","attributes":{},"messageAttributes":{},"md5OfBody":"y","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:000000000000:q","awsRegion":"us-east-1"}]}
            """);

        Assert.Equal("""{"batchItemFailures":[{"itemIdentifier":"m2"}]}""", result.Body);
    }

    [Fact]
    public async Task Invoke_HttpPayloadV2_ReturnsHttpResponseShape()
    {
        await _host.CreateFunctionAsync("cs-http", "dotnet10", "Handlers::Handlers.Events::Http", await DotnetBuilds.PublishAsync("Handlers"));

        var result = await _host.InvokeAsync("cs-http", """
            {"version":"2.0","routeKey":"$default","rawPath":"/a/b","rawQueryString":"x=1","cookies":["c=1"],"headers":{"host":"h"},
             "queryStringParameters":{"x":"1"},"requestContext":{"accountId":"anonymous","apiId":"id","domainName":"h","domainPrefix":"id",
             "http":{"method":"POST","path":"/a/b","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"curl"},"requestId":"r","routeKey":"$default",
             "stage":"$default","time":"28/Nov/2026:01:55:04 +0000","timeEpoch":1795830904000},"body":"hi","isBase64Encoded":false}
            """);

        Assert.Equal("""{"statusCode":201,"headers":{"content-type":"text/plain"},"body":"POST /a/b 1","isBase64Encoded":false}""", result.Body);
    }

    [Fact]
    public async Task Invoke_ScheduledAndDestinationEvents_AreReadIntoTypedEvents()
    {
        var zip = await DotnetBuilds.PublishAsync("Handlers");
        await _host.CreateFunctionAsync("cs-tick", "dotnet10", "Handlers::Handlers.Events::Scheduled", zip);
        await _host.CreateFunctionAsync("cs-dest", "dotnet10", "Handlers::Handlers.Events::Destination", zip);

        var tick = await _host.InvokeAsync("cs-tick", """
            {"version":"0","id":"i","detail-type":"Scheduled Event","source":"aws.events","account":"000000000000","time":"2026-11-28T01:00:00Z",
             "region":"us-east-1","resources":["arn:aws:events:us-east-1:000000000000:rule/nightly"],"detail":{}}
            """);
        var destination = await _host.InvokeAsync("cs-dest", """
            {"version":"1.0","timestamp":"2026-11-28T01:00:00.000Z","requestContext":{"requestId":"r","functionArn":"arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST",
             "condition":"RetriesExhausted","approximateInvokeCount":3},"requestPayload":{"a":1},
             "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"responsePayload":{"errorMessage":"boom"}}
            """);

        Assert.Equal("\"Scheduled Event from aws.events at 2026-11-28T01:00:00.0000000\\u002B00:00 for arn:aws:events:us-east-1:000000000000:rule/nightly\"", tick.Body);
        Assert.Equal("\"RetriesExhausted Unhandled {\\u0022errorMessage\\u0022:\\u0022boom\\u0022}\"", destination.Body);
    }

    [Fact]
    public async Task Invoke_Dotnet8Function_RunsOnTheInstalledRuntime()
    {
        await _host.CreateFunctionAsync("cs-net8", "dotnet8", "Handlers::Handlers.Signatures::Greet", await DotnetBuilds.PublishAsync("Handlers", "net8.0"));

        var result = await _host.InvokeAsync("cs-net8", """{"name":"Old","age":8}""");

        Assert.Null(result.FunctionError);
        Assert.Equal("Hello Old, 8", (string)result.Json["Message"]!);
        Assert.Equal("AWS_Lambda_dotnet8", (string)result.Json["Runtime"]!);
    }

    [Fact]
    public async Task Invoke_NativeAotBootstrapOnProvidedAl2023_ServesEventsAndErrors()
    {
        await _host.CreateFunctionAsync("cs-aot", "provided.al2023", "unused", await DotnetBuilds.PublishAsync("AotHello"));

        var hello = await _host.InvokeAsync("cs-aot", """{"name":"aot"}""");
        var failed = await _host.InvokeAsync("cs-aot", """{"fail":true}""");

        Assert.Equal("""{"message":"hello aot","function":"cs-aot"}""", hello.Body);
        Assert.Equal("Unhandled", failed.FunctionError);
        Assert.Equal("ArgumentException", (string)failed.Json["errorType"]!);
        Assert.Equal("asked to fail", (string)failed.Json["errorMessage"]!);
    }
}
