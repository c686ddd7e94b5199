using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenTelemetry.Trace;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Observability;

/// <summary>
/// A caller's W3C traceparent reaches the spans of its invocation (exported in memory) and the
/// function itself, as <c>_X_AMZN_TRACE_ID</c> in Lambda's form, through the real node and python
/// bootstraps.
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
        var spans = new List<Activity>();
        await using var host = await StratusHost.StartAsync(
            options => options.Observability.AlwaysTrace = true,
            services: collection => collection.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        await host.CreateFunctionAsync("traced", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));

        var cold = await InvokeAsync(host, "traced", TraceParent);
        var coldSpans = Of(spans, TraceId);
        var invoke = Assert.Single(coldSpans, span => span.Kind == ActivityKind.Server);
        Assert.Equal(CallerSpan, invoke.ParentSpanId.ToHexString());
        Assert.Equal("traced", invoke.OperationName);
        Assert.Equal("traced", invoke.GetTagItem("faas.name"));
        Assert.Equal(true, invoke.GetTagItem("faas.coldstart"));
        Assert.Equal(["init", "queue wait", "run", "traced"], coldSpans.Select(span => span.OperationName).Order());
        Assert.All(coldSpans.Where(span => span != invoke), span => Assert.Equal(invoke.SpanId, span.ParentSpanId));
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={invoke.SpanId.ToHexString()};Sampled=1", cold);

        // Warm, on the idle instance: neither a wait nor an init; a new caller span gives a new parent.
        const string warmTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        var warm = await InvokeAsync(host, "traced", $"00-{warmTrace}-00f067aa0ba902b7-01");
        var warmSpans = Of(spans, warmTrace);
        Assert.Equal(["run", "traced"], warmSpans.Select(span => span.OperationName).Order());
        var warmInvoke = warmSpans.Single(span => span.Kind == ActivityKind.Server);
        Assert.Equal(false, warmInvoke.GetTagItem("faas.coldstart"));
        Assert.Equal($"Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent={warmInvoke.SpanId.ToHexString()};Sampled=1", warm);
    }

    [Fact]
    public async Task Invoke_SampleRatioHalf_RecordsTracesByTheirIdAndHandsOnTheOthersUnsampled()
    {
        var spans = new List<Activity>();
        await using var host = await StratusHost.StartAsync(
            options =>
            {
                options.Observability.AlwaysTrace = true;
                options.Observability.TraceSampleRatio = 0.5;
            },
            services: collection => collection.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        await host.CreateFunctionAsync("half", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));

        // A trace id whose first eight bytes are low falls within the ratio; a high one does not.
        const string outside = "7f00000000000000a3ce929d0e0e4736";
        var recorded = await InvokeAsync(host, "half", TraceParent);
        var skipped = await InvokeAsync(host, "half", $"00-{outside}-{CallerSpan}-01");
        var unsampledCaller = await InvokeAsync(host, "half", $"00-{TraceId}-{CallerSpan}-00");

        var invoke = Assert.Single(Of(spans, TraceId), span => span.Kind == ActivityKind.Server);
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={invoke.SpanId.ToHexString()};Sampled=1", recorded);
        Assert.Empty(Of(spans, outside));
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
        var spans = new List<Activity>();
        await using var host = await StratusHost.StartAsync(
            options => options.Observability.AlwaysTrace = true,
            services: collection => collection.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
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
        var invoke = Assert.Single(Of(spans, TraceId), span => span.Kind == ActivityKind.Server);
        Assert.Equal("url", invoke.GetTagItem("faas.trigger"));
        Assert.Equal($"Root=1-0af76519-16cd43dd8448eb211c80319c;Parent={invoke.SpanId.ToHexString()};Sampled=1", seen);
    }

    [Fact]
    public async Task Invoke_OtlpEndpoint_ExportsItsSpansOverOtlpHttp()
    {
        using var collector = new OtlpCollector();
        var host = await StratusHost.StartAsync(options => options.Observability.OtlpEndpoint = collector.Endpoint);
        try
        {
            await host.CreateFunctionAsync("exported", "nodejs20.x", "index.handler", Zips.Create(("index.js", NodeTrace)));
            var seen = await InvokeAsync(host, "exported", TraceParent);
            Assert.StartsWith("Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=", seen, StringComparison.Ordinal);
            Assert.DoesNotContain(CallerSpan, seen, StringComparison.Ordinal);
        }
        finally
        {
            // A stopping server sends the spans its exporter still holds.
            await host.DisposeAsync();
        }

        var (path, contentType, body) = await collector.FirstExport.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("/v1/traces", path);
        Assert.Equal("application/x-protobuf", contentType);
        Assert.True(body.AsSpan().IndexOf(Convert.FromHexString(TraceId)) >= 0, "the export carries the caller's trace id");
        Assert.True(body.AsSpan().IndexOf("queue wait"u8) >= 0, "the export carries the phase spans");
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

    // Spans of one trace: other servers of this process may trace at the same time.
    private static List<Activity> Of(List<Activity> spans, string traceId)
    {
        lock (spans)
        {
            return spans.Where(span => span.TraceId.ToHexString() == traceId).ToList();
        }
    }
}
