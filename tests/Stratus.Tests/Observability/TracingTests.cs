using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Observability;

/// <summary>
/// A caller's W3C traceparent reaches the spans of its invocation and the function itself, as
/// <c>_X_AMZN_TRACE_ID</c> in Lambda's form, through the real node and python bootstraps. Spans are
/// read as a collector gets them: exported over OTLP to a collector on 127.0.0.1 and decoded there.
/// </summary>
public sealed class TracingTests
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string CallerSpan = "b7ad6b7169203331";
    private const string TraceParent = $"00-{TraceId}-{CallerSpan}-01";
    private const string NodeTrace = "exports.handler = async () => process.env._X_AMZN_TRACE_ID;";

    [Fact]
    public async Task Invoke_WithTraceparent_SpansCarryItsTraceAndFunctionSeesIt()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var host = await StratusHost.StartAsync(options => options.Observability.OtlpEndpoint = collector.Endpoint);
        await host.CreateFunctionAsync("traced", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));

        var cold = await InvokeAsync(host, "traced", TraceParent);
        var coldSpans = Of(await collector.WaitForAsync(spans => Of(spans, TraceId).Count >= 4), TraceId);
        var invoke = Assert.Single(coldSpans, span => span.Kind == ExportedSpan.Server);
        Assert.Equal(CallerSpan, invoke.ParentSpanId);
        Assert.Equal("traced", invoke.Name);
        Assert.Equal("traced", invoke.Resource["faas.name"]);
        Assert.Equal("$LATEST", invoke.Resource["faas.version"]);
        Assert.Equal("stratus", invoke.Resource["service.name"]);
        Assert.Equal(true, invoke.Attributes["faas.coldstart"]);
        Assert.Equal("invoke", invoke.Attributes["faas.trigger"]);
        Assert.Equal(0, invoke.StatusCode);
        Assert.True(invoke.EndNanos >= invoke.StartNanos);
        Assert.Equal(["init", "queue wait", "run", "traced"], coldSpans.Select(span => span.Name).Order());
        Assert.All(coldSpans.Where(span => span != invoke), span =>
        {
            Assert.Equal(invoke.SpanId, span.ParentSpanId);
            Assert.Equal(ExportedSpan.Internal, span.Kind);
        });
        Assert.Equal(coldSpans.Count, coldSpans.Select(span => span.SpanId).Distinct().Count());
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={invoke.SpanId};Sampled=1", cold);

        // Warm, on the idle instance: neither a wait nor an init; a new caller span gives a new parent.
        const string warmTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        var warm = await InvokeAsync(host, "traced", $"00-{warmTrace}-00f067aa0ba902b7-01");
        var warmSpans = Of(await collector.WaitForAsync(spans => Of(spans, warmTrace).Count >= 2), warmTrace);
        Assert.Equal(["run", "traced"], warmSpans.Select(span => span.Name).Order());
        var warmInvoke = warmSpans.Single(span => span.Kind == ExportedSpan.Server);
        Assert.Equal(false, warmInvoke.Attributes["faas.coldstart"]);
        Assert.Equal($"Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent={warmInvoke.SpanId};Sampled=1", warm);
    }

    [Fact]
    public async Task Invoke_NoTraceparent_BeginsATraceOfItsOwnAndErrorsAreMarked()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var host = await StratusHost.StartAsync(options => options.Observability.OtlpEndpoint = collector.Endpoint);
        await host.CreateFunctionAsync("failing", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async () => { throw new Error(process.env._X_AMZN_TRACE_ID); };
            """)));

        using var response = await host.Http.PostAsync("/2015-03-31/functions/failing/invocations", new StringContent("{}"));
        Assert.Equal("Unhandled", response.Headers.GetValues("X-Amz-Function-Error").Single());
        var seen = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorMessage"]!;

        var spans = await collector.WaitForAsync(spans => spans.Any(span => span.Kind == ExportedSpan.Server));
        var invoke = Assert.Single(spans, span => span.Kind == ExportedSpan.Server);
        Assert.Equal("", invoke.ParentSpanId);
        Assert.Equal(2, invoke.StatusCode);
        Assert.Equal("Unhandled", invoke.StatusMessage);
        Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), invoke.Attributes["faas.invocation_id"]);
        Assert.Equal($"Root=1-{invoke.TraceId[..8]}-{invoke.TraceId[8..]};Parent={invoke.SpanId};Sampled=1", seen);
    }

    [Fact]
    public async Task Invoke_Throttled_SpanSaysSo()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var host = await StratusHost.StartAsync(options => options.Observability.OtlpEndpoint = collector.Endpoint);
        await host.CreateFunctionAsync("closed", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));
        using (var reserve = new StringContent("""{"ReservedConcurrentExecutions":0}""", Encoding.UTF8, "application/json"))
        {
            (await host.Http.PutAsync("/2017-10-31/functions/closed/concurrency", reserve)).EnsureSuccessStatusCode();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/2015-03-31/functions/closed/invocations") { Content = new StringContent("{}") };
        request.Headers.Add("traceparent", TraceParent);
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);

        var invoke = Assert.Single(Of(await collector.WaitForAsync(spans => Of(spans, TraceId).Count >= 1), TraceId));
        Assert.Equal(2, invoke.StatusCode);
        Assert.Equal("TooManyRequestsException", invoke.StatusMessage);
        Assert.False(invoke.Attributes.ContainsKey("faas.coldstart"));
    }

    [Fact]
    public async Task Invoke_CollectorFailing_InvocationsRunAndDroppedSpansAreCounted()
    {
        await using var collector = await OtlpCollector.StartAsync(failWith: 503);
        await using var host = await StratusHost.StartAsync(options => options.Observability.OtlpEndpoint = collector.Endpoint);
        await host.CreateFunctionAsync("unheard", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));

        var seen = await InvokeAsync(host, "unheard", TraceParent);
        await collector.Attempted.WaitAsync(TimeSpan.FromSeconds(30));

        // The exporter counts the refusal once the answer reaches it, a moment after the collector sent it.
        double? dropped = null;
        for (var scrape = 0; scrape < 500 && dropped is not > 0; scrape++)
        {
            dropped = (await MetricsTests.ScrapeAsync(host)).Value("stratus_trace_dropped_total");
            if (dropped is not > 0)
            {
                await Task.Delay(10);
            }
        }

        Assert.StartsWith("Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=", seen, StringComparison.Ordinal);
        Assert.Equal(1, dropped);
        Assert.Empty(await collector.WaitForAsync(_ => true));
    }

    [Fact]
    public async Task Invoke_SampleRatioHalf_RecordsTracesByTheirIdAndHandsOnTheOthersUnsampled()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var host = await StratusHost.StartAsync(options =>
        {
            options.Observability.OtlpEndpoint = collector.Endpoint;
            options.Observability.TraceSampleRatio = 0.5;
        });
        await host.CreateFunctionAsync("half", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));

        // A trace id whose first eight bytes are low falls within the ratio; a high one does not.
        const string outside = "7f00000000000000a3ce929d0e0e4736";
        var skipped = await InvokeAsync(host, "half", $"00-{outside}-{CallerSpan}-01");
        var unsampledCaller = await InvokeAsync(host, "half", $"00-{TraceId}-{CallerSpan}-00");
        var recorded = await InvokeAsync(host, "half", TraceParent);

        // The recorded one comes last: once its spans are in, the others' would have been too.
        var spans = await collector.WaitForAsync(spans => Of(spans, TraceId).Count >= 2);
        var invoke = Assert.Single(Of(spans, TraceId), span => span.Kind == ExportedSpan.Server);
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={invoke.SpanId};Sampled=1", recorded);
        Assert.Empty(Of(spans, outside));
        Assert.Equal(2, Of(spans, TraceId).Count);
        Assert.Equal($"Root=1-7f000000-00000000a3ce929d0e0e4736;Parent={CallerSpan};Sampled=0", skipped);
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={CallerSpan};Sampled=0", unsampledCaller);
    }

    [Fact]
    public async Task Invoke_TracesOffOrBadTraceparent_FunctionSeesCallersTraceOrOneOfItsOwn()
    {
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("plain", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));

        // Nothing exports spans: the function joins the caller's trace under the caller's span.
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={CallerSpan};Sampled=1", await InvokeAsync(host, "plain", TraceParent));
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={CallerSpan};Sampled=0", await InvokeAsync(host, "plain", $"00-{TraceId}-{CallerSpan}-00"));

        // A malformed traceparent is ignored, as W3C asks: the invocation runs under a trace id of its own.
        var own = await InvokeAsync(host, "plain", $"00-{TraceId}-{CallerSpan}-0");
        Assert.StartsWith("Root=1-", own, StringComparison.Ordinal);
        Assert.DoesNotContain(TraceId[8..], own, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FunctionUrl_WithTraceparent_PythonFunctionSeesIt()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var host = await StratusHost.StartAsync(options => options.Observability.OtlpEndpoint = collector.Endpoint);
        await host.CreateFunctionAsync("web", "python3.12", "app.handler", Zips.Create(("app.py", """
            import os

            def handler(event, context):
                return {"statusCode": 200, "body": os.environ.get("_X_AMZN_TRACE_ID", "")}
            """)));
        string url;
        using (var created = await host.Http.PostAsync("/2021-10-31/functions/web/url", new StringContent("""{"AuthType":"NONE"}""", Encoding.UTF8, "application/json")))
        {
            var text = await created.Content.ReadAsStringAsync();
            Assert.True(created.StatusCode == HttpStatusCode.Created, text);
            url = (string)JsonNode.Parse(text)!["FunctionUrl"]!;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("traceparent", TraceParent);
        using var response = await host.Http.SendAsync(request);
        var seen = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = await collector.WaitForAsync(spans => Of(spans, TraceId).Any(span => span.Kind == ExportedSpan.Server));
        var invoke = Assert.Single(Of(spans, TraceId), span => span.Kind == ExportedSpan.Server);
        Assert.Equal("url", invoke.Attributes["faas.trigger"]);
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={invoke.SpanId};Sampled=1", seen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Invoke_OtlpEndpoint_ExportsItsSpansOverHttpOrGrpc(bool grpc)
    {
        await using var collector = await OtlpCollector.StartAsync(grpc);
        var host = await StratusHost.StartAsync(options =>
        {
            options.Observability.OtlpEndpoint = collector.Endpoint;
            options.Observability.OtlpProtocol = grpc ? "grpc" : "http/protobuf";
        });
        string seen;
        try
        {
            await host.CreateFunctionAsync("exported", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));
            seen = await InvokeAsync(host, "exported", TraceParent);
        }
        finally
        {
            // A stopping server sends the spans its exporter still holds.
            await host.DisposeAsync();
        }

        var spans = await collector.WaitForAsync(spans => Of(spans, TraceId).Count >= 4);
        var invoke = Assert.Single(Of(spans, TraceId), span => span.Kind == ExportedSpan.Server);
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={invoke.SpanId};Sampled=1", seen);
        var (path, contentType) = collector.Exports[0];
        Assert.Equal(grpc ? "/opentelemetry.proto.collector.trace.v1.TraceService/Export" : "/v1/traces", path);
        Assert.Equal(grpc ? "application/grpc" : "application/x-protobuf", contentType);
    }

    private static async Task<string> InvokeAsync(StratusHost host, string function, string traceParent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2015-03-31/functions/{function}/invocations") { Content = new StringContent("{}") };
        request.Headers.Add("traceparent", traceParent);
        using var response = await host.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return (string)JsonNode.Parse(body)!;
    }

    private static List<ExportedSpan> Of(IReadOnlyList<ExportedSpan> spans, string traceId) =>
        spans.Where(span => span.TraceId == traceId).ToList();
}
