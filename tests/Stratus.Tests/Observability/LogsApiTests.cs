using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Observability;

/// <summary>The native logs API and the console's series, against a real server running real node functions.</summary>
public sealed partial class LogsApiTests : IAsyncLifetime
{
    private const string Handler = "exports.handler = async (e) => { console.log('word', e.word); if (e.fail) throw new Error('boom'); return e.word; };";
    private StratusHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync();
        await _host.CreateFunctionAsync("words", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Logs_QueriedByTextRequestIdAndPage_ReturnMatchingRecordsWithLambdaNames()
    {
        var ids = new List<string>();
        foreach (var word in new[] { "alpha", "bravo", "charlie" })
        {
            ids.Add(RequestIdOf(await _host.InvokeAsync("words", $$"""{"word":"{{word}}"}""", tail: true)));
        }

        var byText = await GetAsync("/stratus/v1/functions/words/logs?filter=bravo");
        var byId = await GetAsync($"/stratus/v1/functions/words/logs?requestId={ids[2]}");
        var newest = await GetAsync("/stratus/v1/functions/words/logs?limit=2");
        var older = await GetAsync($"/stratus/v1/functions/words/logs?limit=2&nextToken={newest["NextToken"]}");
        var future = await GetAsync($"/stratus/v1/functions/words/logs?start={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()}");
        var past = await GetAsync("/stratus/v1/functions/words/logs?end=2020-01-01T00:00:00Z");

        Assert.Equal("/aws/lambda/words", (string)byText["LogGroupName"]!);
        var match = Assert.Single(byText["Events"]!.AsArray());
        Assert.Equal(ids[1], (string)match!["RequestId"]!);
        Assert.Contains("word bravo", (string)match["Message"]!);
        Assert.Matches(StreamName(), (string)match["LogStreamName"]!);
        Assert.Contains("word charlie", (string)Assert.Single(byId["Events"]!.AsArray())!["Message"]!);
        Assert.Equal([ids[1], ids[2]], newest["Events"]!.AsArray().Select(e => (string)e!["RequestId"]!));
        Assert.Equal([ids[0]], older["Events"]!.AsArray().Select(e => (string)e!["RequestId"]!));
        Assert.Null(older["NextToken"]);
        Assert.Empty(future["Events"]!.AsArray());
        Assert.Empty(past["Events"]!.AsArray());
    }

    [Fact]
    public async Task Invoke_Successive_RequestIdsAreUuidsInTheOrderMade()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(RequestIdOf(await _host.InvokeAsync("words", """{"word":"x"}""", tail: true)));
        }

        // Time-ordered ids (UUID version 7) keep the log store's request-id index appending at its end.
        Assert.All(ids, id => Assert.Equal(7, Guid.Parse(id).Version));
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("limit=0", "limit must be between 1 and 1000")]
    [InlineData("start=yesterday", "start must be a time in epoch milliseconds or ISO 8601, e.g. 2026-01-31T12:00:00Z")]
    [InlineData("nextToken=abc", "nextToken is not one this API returned")]
    public async Task Logs_BadParameter_LambdaErrorShape(string query, string message)
    {
        using var response = await _host.Http.GetAsync("/stratus/v1/functions/words/logs?" + query);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("InvalidParameterValueException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(message, (string)body["Message"]!);
    }

    [Fact]
    public async Task Logs_UnknownFunction_NotFound()
    {
        using var logs = await _host.Http.GetAsync("/stratus/v1/functions/nope/logs");
        using var stream = await _host.Http.GetAsync("/stratus/v1/functions/nope/logs/stream");

        Assert.Equal(HttpStatusCode.NotFound, logs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stream.StatusCode);
    }

    [Fact]
    public async Task LogStream_Invocation_PushedAsServerSentEvent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stratus/v1/functions/words/logs/stream");
        using var response = await _host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(": following words", await reader.ReadLineAsync());

        var id = RequestIdOf(await _host.InvokeAsync("words", """{"word":"delta"}""", tail: true));

        Assert.Equal("", await reader.ReadLineAsync());
        Assert.Equal("event: log", await reader.ReadLineAsync());
        var data = await reader.ReadLineAsync();
        Assert.StartsWith("data: ", data);
        var record = JsonNode.Parse(data!["data: ".Length..])!;
        Assert.Equal(id, (string)record["RequestId"]!);
        Assert.Contains("word delta", (string)record["Message"]!);
        Assert.Contains($"REPORT RequestId: {id}", (string)record["Message"]!);
    }

    [Fact]
    public async Task LogStream_ServerStops_StreamEndsInsteadOfHoldingTheStop()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stratus/v1/functions/words/logs/stream");
        using var response = await _host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": following words", await reader.ReadLineAsync());

        await _host.Server.DisposeAsync();

        Assert.Equal("", await reader.ReadLineAsync());
        Assert.Null(await reader.ReadLineAsync());
    }

    [Fact]
    public async Task Series_AfterSuccessAndError_CountsInvocationsErrorsAndColdStart()
    {
        await _host.InvokeAsync("words", """{"word":"echo"}""");
        await _host.InvokeAsync("words", """{"word":"foxtrot","fail":true}""");

        var series = await GetAsync("/stratus/v1/functions/words/series?minutes=5");
        var activity = await GetAsync("/stratus/v1/activity");

        var points = series["Points"]!.AsArray();
        Assert.Equal(5, points.Count);
        Assert.Equal(2, points.Sum(p => (long)p!["Invocations"]!));
        Assert.Equal(1, points.Sum(p => (long)p!["Errors"]!));
        Assert.Equal(1, points.Sum(p => (long)p!["ColdStarts"]!));
        Assert.True(points.Max(p => (double)p!["MaxDurationMs"]!) > 0);
        var words = Assert.Single(activity["Functions"]!.AsArray());
        Assert.Equal(("words", 2L, 1L), ((string)words!["FunctionName"]!, (long)words["Invocations"]!, (long)words["Errors"]!));
    }

    private async Task<JsonNode> GetAsync(string path)
    {
        using var response = await _host.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static string RequestIdOf(InvokeResult result) => StartLine().Match(result.Log!).Groups[1].Value;

    [GeneratedRegex(@"START RequestId: ([0-9a-f-]+)")]
    private static partial Regex StartLine();

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")]
    private static partial Regex StreamName();
}
