using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Stratus.Observability;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Observability;

/// <summary>
/// A real server runs real node functions; <c>/metrics</c>, read with a strict parser of Prometheus's
/// text format, shows exactly the invocations made.
/// </summary>
public sealed partial class MetricsTests
{
    private const string Handler = """
        exports.handler = async (event) => {
          if (event.fail) throw new Error('boom');
          return 'ok';
        };
        """;

    [Fact]
    public async Task Metrics_AfterInvocations_MatchWhatRan()
    {
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("counted", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)), memory: 256);
        await host.CreateFunctionAsync("throttled", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
        using (var put = await host.Http.PutAsync("/2017-10-31/functions/throttled/concurrency", new StringContent("""{"ReservedConcurrentExecutions":0}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var reports = new List<string>();
        foreach (var payload in new[] { "{}", "{}", "{\"fail\":true}", "{}", "{\"fail\":true}" })
        {
            var result = await host.InvokeAsync("counted", payload, tail: true);
            Assert.Equal(200, result.Status);
            reports.Add(result.Log!);
        }

        Assert.Equal(429, (await host.InvokeAsync("throttled")).Status);
        Assert.Equal(429, (await host.InvokeAsync("throttled")).Status);

        var metrics = await ScrapeAsync(host);
        (string, string) counted = ("function", "counted");
        Assert.Equal(5, metrics.Value("stratus_invocations_total", counted));
        Assert.Equal(2, metrics.Value("stratus_invocation_errors_total", counted));
        Assert.Equal(1, metrics.Value("stratus_cold_starts_total", counted));
        Assert.Equal(4, metrics.Value("stratus_warm_starts_total", counted));
        Assert.Equal(5, metrics.Value("stratus_invocation_duration_seconds_count", counted));
        Assert.Equal(5, metrics.Value("stratus_invocation_duration_seconds_bucket", counted, ("le", "+Inf")));
        Assert.Equal(1, metrics.Value("stratus_init_duration_seconds_count", counted));
        Assert.Equal(0, metrics.Value("stratus_concurrent_executions", counted));
        Assert.Equal(0, metrics.Value("stratus_instances", counted, ("state", "busy")));
        Assert.True(metrics.Value("stratus_instances", counted, ("state", "idle")) >= 1);
        Assert.Equal(2, metrics.Value("stratus_throttles_total", ("function", "throttled")));
        Assert.Null(metrics.Value("stratus_invocations_total", ("function", "throttled")));
        Assert.Equal("histogram", metrics.TypeOf("stratus_invocation_duration_seconds"));
        Assert.Equal("counter", metrics.TypeOf("stratus_invocations_total"));
        Assert.Equal(0, metrics.Value("stratus_async_queue_depth"));

        // GB-seconds as the REPORT lines give them: billed duration times memory size.
        var billed = reports.Sum(log =>
        {
            var report = Report().Match(log);
            return long.Parse(report.Groups[1].Value, CultureInfo.InvariantCulture) * long.Parse(report.Groups[2].Value, CultureInfo.InvariantCulture) / 1_024_000.0;
        });
        Assert.Equal(billed, metrics.Value("stratus_billed_gb_seconds_total", counted)!.Value, 9);
    }

    [Fact]
    public async Task Metrics_MoreFunctionsThanLabelLimit_LaterOnesCountAsOther()
    {
        await using var host = await StratusHost.StartAsync(options => options.Observability.FunctionLabelLimit = 1);
        await host.CreateFunctionAsync("first", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
        await host.CreateFunctionAsync("second", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
        await host.CreateFunctionAsync("third", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
        Assert.Equal(200, (await host.InvokeAsync("first")).Status);
        Assert.Equal(200, (await host.InvokeAsync("second")).Status);
        Assert.Equal(200, (await host.InvokeAsync("third")).Status);

        var metrics = await ScrapeAsync(host);
        Assert.Equal(1, metrics.Value("stratus_invocations_total", ("function", "first")));
        Assert.Equal(2, metrics.Value("stratus_invocations_total", ("function", ObservabilityOptions.OtherFunction), ("account", ObservabilityOptions.OtherFunction)));
        Assert.DoesNotContain(metrics.Samples, sample => sample.Labels.GetValueOrDefault("function") is "second" or "third");
    }

    [Fact]
    public async Task Metrics_AnotherServerInTheSameProcess_CountsOnlyItsOwn()
    {
        await using var one = await StratusHost.StartAsync();
        await using var other = await StratusHost.StartAsync();
        await one.CreateFunctionAsync("mine", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
        Assert.Equal(200, (await one.InvokeAsync("mine")).Status);

        Assert.Equal(1, (await ScrapeAsync(one)).Value("stratus_invocations_total", ("function", "mine")));
        Assert.DoesNotContain((await ScrapeAsync(other)).Samples, sample => sample.Labels.GetValueOrDefault("function") == "mine");
    }

    [Fact]
    public async Task Metrics_MessagesBehindAMapping_ShowAsItsFunctionsBacklog()
    {
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("lagging", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
        var queue = await SqsCalls.CreateQueueAsync(host.Http, "backlog");
        await SqsCalls.SendMessagesAsync(host.Http, queue, "one", "two", "three");
        // Disabled: nothing takes the messages while the test reads the metrics.
        var mapping = new System.Text.Json.Nodes.JsonObject
        {
            ["FunctionName"] = "lagging",
            ["EventSourceArn"] = "arn:aws:sqs:us-east-1:000000000000:backlog",
            ["Enabled"] = false,
        };
        using (var created = await host.Http.PostAsync("/2015-03-31/event-source-mappings/", new StringContent(mapping.ToJsonString(), Encoding.UTF8, "application/json")))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync());
        }

        var metrics = await ScrapeAsync(host);
        Assert.Equal(3, metrics.Value("stratus_event_source_backlog", ("function", "lagging")));
    }

    [Fact]
    public async Task Metrics_EventsThatCannotRunYet_ShowAsAsyncQueueDepth()
    {
        await using var host = await StratusHost.StartAsync();
        await host.CreateFunctionAsync("held", "nodejs20.x", "index.handler", Zips.Create(("index.js", Handler)));
        // No concurrency at all: each event is throttled and kept for a later retry, never done.
        using (var put = await host.Http.PutAsync("/2017-10-31/functions/held/concurrency", new StringContent("""{"ReservedConcurrentExecutions":0}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        Assert.Equal(202, (await host.InvokeAsync("held", type: "Event")).Status);
        Assert.Equal(202, (await host.InvokeAsync("held", type: "Event")).Status);

        var metrics = await ScrapeAsync(host);
        Assert.Equal(2, metrics.Value("stratus_async_queue_depth"));
        Assert.True(metrics.Value("stratus_async_queue_oldest_age_seconds") >= 0);
    }

    [Fact]
    public async Task Metrics_Off_NotServed()
    {
        await using var host = await StratusHost.StartAsync(options => options.Observability.Metrics = MetricsAccess.Off);
        using var response = await host.Http.GetAsync(MetricsEndpoint.Path);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("stratus_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal static async Task<PrometheusText> ScrapeAsync(StratusHost host)
    {
        using var response = await host.Http.GetAsync(MetricsEndpoint.Path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(text);
    }

    [GeneratedRegex(@"Billed Duration: (\d+) ms\tMemory Size: (\d+) MB")]
    private static partial Regex Report();
}
