using System.Text;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Api;

public sealed class InvokeApiTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync();
        await _host.CreateFunctionAsync("echo", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event, context) => {
              if (event.big) return 'x'.repeat(7 * 1024 * 1024);
              if (event.marker) console.log('event seen', event.marker);
              return { echo: event, clientContext: context.clientContext ?? null };
            };
            """)));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Invoke_EmptyBody_PassesAnEmptyObject()
    {
        var result = await _host.InvokeAsync("echo", "");

        Assert.Equal("""{"echo":{},"clientContext":null}""", result.Body);
    }

    [Fact]
    public async Task Invoke_DryRun_Returns204WithoutRunning()
    {
        var result = await _host.InvokeAsync("echo", "{}", type: "DryRun");

        Assert.Equal(204, result.Status);
    }

    [Fact]
    public async Task Invoke_Event_Returns202AndRunsInTheBackground()
    {
        var marker = Guid.NewGuid().ToString("N");

        var attempts = new AsyncAttempts(_host);

        var result = await _host.InvokeAsync("echo", $$"""{"marker":"{{marker}}"}""", type: "Event");
        var ran = await attempts.NextAsync("echo");
        // A stop stores the logs written so far; they are there for the next server on the data.
        await _host.Server.DisposeAsync();
        await using var restarted = await StratusHost.StartAsync(dataDirectory: _host.DataDirectory);
        var logs = await restarted.Http.GetStringAsync("/stratus/v1/functions/echo/logs?limit=5");

        Assert.Equal(202, result.Status);
        Assert.Equal(Stratus.Invocation.AsyncAttempt.Succeeded, ran.Outcome);
        Assert.Contains("event seen " + marker, logs);
    }

    [Fact]
    public async Task Invoke_ClientContext_ReachesTheFunction()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/echo/invocations") { Content = new StringContent("{}") };
        // Pretty-printed, with a non-ASCII value: both reach the function intact.
        request.Headers.Add("X-Amz-Client-Context", Convert.ToBase64String(Encoding.UTF8.GetBytes("{\n  \"custom\": {\"k\": \"v\u00e9\"}\r\n}")));

        using var response = await _host.Http.SendAsync(request);

        Assert.Contains("\"k\":\"v\u00e9\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invoke_BadInput_GetsLambdaErrors()
    {
        var notJson = await _host.InvokeAsync("echo", "{nope");
        var badType = await _host.InvokeAsync("echo", "{}", type: "Sometimes");
        var missing = await _host.InvokeAsync("missing", "{}");
        var version = await _host.InvokeAsync("echo:7", "{}");

        Assert.Equal((400, "InvalidRequestContentException"), (notJson.Status, notJson.ErrorType));
        Assert.Equal((400, "InvalidParameterValueException"), (badType.Status, badType.ErrorType));
        Assert.Equal((404, "ResourceNotFoundException"), (missing.Status, missing.ErrorType));
        Assert.Equal((404, "ResourceNotFoundException"), (version.Status, version.ErrorType));
    }

    [Fact]
    public async Task Invoke_PayloadOverSixMegabytes_Returns413()
    {
        var payload = "\"" + new string('a', (6 * 1024 * 1024) + 1) + "\"";

        var result = await _host.InvokeAsync("echo", payload);

        Assert.Equal(413, result.Status);
        Assert.Equal("RequestTooLargeException", result.ErrorType);
    }

    [Fact]
    public async Task Invoke_ResponseOverSixMegabytes_IsAFunctionError()
    {
        var result = await _host.InvokeAsync("echo", """{"big":true}""");
        var next = await _host.InvokeAsync("echo", """{"after":1}""");

        Assert.Equal(200, result.Status);
        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("Function.ResponseSizeTooLarge", (string)result.Json["errorType"]!);
        Assert.Equal("""{"echo":{"after":1},"clientContext":null}""", next.Body);
    }

    [Fact]
    public async Task Logs_AreStoredAndReadableThroughTheNativeApi()
    {
        var invoked = await _host.InvokeAsync("echo", """{"logged":1}""", tail: true);

        using var response = await _host.Http.GetAsync("/stratus/v1/functions/echo/logs?limit=5");
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Contains("REPORT RequestId:", text);
        Assert.Contains(invoked.Log!.Split('\n')[0].Replace("$", "$", StringComparison.Ordinal).Split(' ')[2], text);
    }

    [Fact]
    public void LogTail_KeepsTheLastFourKilobytes()
    {
        var log = new string('a', 5000) + "END";

        var tail = Encoding.UTF8.GetString(Convert.FromBase64String(Stratus.Api.InvokeApi.LogTail(log)));

        Assert.Equal(4096, tail.Length);
        Assert.EndsWith("END", tail);
    }
}
