using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stratus.Events;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Events;

/// <summary>The native schedule API on a real server, with a real node function and the server on fake time.</summary>
public sealed class ScheduleApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 10, 0, 30, TimeSpan.Zero));
    private readonly string _shared = SharedDirectory.Create("schedules-");
    private StratusHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync(time: _time);
        await _host.CreateFunctionAsync("recorder", "nodejs20.x", "index.handler", Recorder(_shared));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_shared, recursive: true);
    }

    /// <summary>A function that writes each event it gets to a file named by the event's time.</summary>
    internal static byte[] Recorder(string directory) => Zips.Create(("index.js", $$"""
        const fs = require('fs');
        exports.handler = async (event) => {
          const name = (event.time || event.tick || 'input').replace(/:/g, '-');
          fs.writeFileSync('{{directory}}/' + name + '.json', JSON.stringify(event));
          return 'ok';
        };
        """));

    [Fact]
    public async Task PutGetListDisableDelete_EveryMinuteSchedule_DeliversTheScheduledEventEnvelope()
    {
        var created = await SendAsync(HttpMethod.Put, "every-minute", new JsonObject
        {
            ["ScheduleExpression"] = "cron(* * * * ? *)",
            ["Target"] = new JsonObject { ["FunctionName"] = "recorder" },
        });
        await TickAsync("2026-11-28T10:01:00Z");
        var envelope = await ReceivedAsync("2026-11-28T10-01-00Z");
        var got = await SendAsync(HttpMethod.Get, "every-minute");
        var listed = JsonNode.Parse(await _host.Http.GetStringAsync("/stratus/v1/schedules"))!;
        var disabled = await SendAsync(HttpMethod.Post, "every-minute/disable");
        using var deleted = await _host.Http.DeleteAsync("/stratus/v1/schedules/every-minute");
        using var gone = await _host.Http.GetAsync("/stratus/v1/schedules/every-minute");

        Assert.Equal("ENABLED", (string)created["State"]!);
        Assert.Equal("UTC", (string)created["ScheduleExpressionTimezone"]!);
        Assert.Equal("SKIP", (string)created["MissedTicks"]!);
        Assert.Equal(["2026-11-28T10:01:00+00:00", "2026-11-28T10:02:00+00:00", "2026-11-28T10:03:00+00:00"], created["NextFireTimes"]!.AsArray().Select(t => (string)t!));
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:recorder", (string)created["Target"]!["FunctionArn"]!);
        Assert.Equal("Scheduled Event", (string)envelope["detail-type"]!);
        Assert.Equal("aws.events", (string)envelope["source"]!);
        Assert.Equal("2026-11-28T10:01:00Z", (string)envelope["time"]!);
        Assert.Equal("arn:aws:scheduler:us-east-1:000000000000:schedule/default/every-minute", (string)envelope["resources"]![0]!);
        Assert.Equal((string)created["Arn"]!, (string)envelope["resources"]![0]!);
        Assert.Equal("2026-11-28T10:01:00.000Z", (string)got["LastFiring"]!["Tick"]!);
        Assert.NotNull(got["LastFiring"]!["RequestId"]);
        Assert.Null(got["LastFiring"]!["Error"]);
        Assert.Equal("every-minute", (string)listed["Schedules"]![0]!["Name"]!);
        Assert.Equal("DISABLED", (string)disabled["State"]!);
        Assert.Empty(disabled["NextFireTimes"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("ResourceNotFoundException", gone.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task Put_ZonedCronWithFixedInput_ShowsLocalFireTimesAndSendsTheInput()
    {
        var created = await SendAsync(HttpMethod.Put, "paris", new JsonObject
        {
            ["ScheduleExpression"] = "cron(5 11 ? * SAT *)",
            ["ScheduleExpressionTimezone"] = "Europe/Paris",
            ["MissedTicks"] = "CATCH_UP_ONCE",
            ["Target"] = new JsonObject { ["FunctionName"] = "arn:aws:lambda:us-east-1:000000000000:function:recorder", ["Input"] = """{"tick":"paris"}""" },
        });
        await TickAsync("2026-11-28T10:05:00Z");
        var input = await ReceivedAsync("paris");

        Assert.Equal("recorder", (string)created["Target"]!["FunctionName"]!);
        Assert.Equal("CATCH_UP_ONCE", (string)created["MissedTicks"]!);
        Assert.Equal("2026-11-28T11:05:00+01:00", (string)created["NextFireTimes"]![0]!);
        Assert.Equal("2026-12-05T11:05:00+01:00", (string)created["NextFireTimes"]![1]!);
        Assert.Equal("""{"tick":"paris"}""", input.ToJsonString());
    }

    [Fact]
    public async Task Tick_FunctionDeleted_ScheduleStaysAndShowsTheError()
    {
        await SendAsync(HttpMethod.Put, "orphan", new JsonObject
        {
            ["ScheduleExpression"] = "rate(1 minute)",
            ["Target"] = new JsonObject { ["FunctionName"] = "recorder" },
        });
        (await _host.Http.DeleteAsync("/2015-03-31/functions/recorder")).EnsureSuccessStatusCode();

        await TickAsync("2026-11-28T10:01:30Z");
        var schedule = await SendAsync(HttpMethod.Get, "orphan");

        Assert.Equal("ENABLED", (string)schedule["State"]!);
        Assert.StartsWith("ResourceNotFoundException: Function not found", (string)schedule["LastFiring"]!["Error"]!, StringComparison.Ordinal);
        Assert.Equal("2026-11-28T10:02:30+00:00", (string)schedule["NextFireTimes"]![0]!);
    }

    [Theory]
    [InlineData("""{"ScheduleExpression":"cron(0 10 * * * *)","Target":{"FunctionName":"recorder"}}""", 400, "ValidationException", "exactly one of day-of-month and day-of-week must be ?")]
    [InlineData("""{"ScheduleExpression":"rate(1 minutes)","Target":{"FunctionName":"recorder"}}""", 400, "ValidationException", "with a value of 1 the unit must be minute")]
    [InlineData("""{"ScheduleExpression":"rate(1 hour)","ScheduleExpressionTimezone":"Nowhere/Town","Target":{"FunctionName":"recorder"}}""", 400, "ValidationException", "Invalid ScheduleExpressionTimezone Nowhere/Town")]
    [InlineData("""{"ScheduleExpression":"rate(1 hour)","Target":{"FunctionName":"missing"}}""", 404, "ResourceNotFoundException", "Function not found")]
    [InlineData("""{"ScheduleExpression":"rate(1 hour)","Target":{}}""", 400, "ValidationException", "Target.FunctionName is required")]
    [InlineData("""{"ScheduleExpression":"rate(1 hour)","Target":{"FunctionName":"recorder","Input":"{nope"}}""", 400, "ValidationException", "Target Input must be valid JSON")]
    [InlineData("""{"ScheduleExpression":"rate(1 hour)","State":"PAUSED","Target":{"FunctionName":"recorder"}}""", 400, "ValidationException", "State must be ENABLED or DISABLED")]
    [InlineData("""{"ScheduleExpression":"rate(1 hour)","MissedTicks":"ALL","Target":{"FunctionName":"recorder"}}""", 400, "ValidationException", "MissedTicks must be SKIP or CATCH_UP_ONCE")]
    [InlineData("""{"ScheduleExpression":"rate(1 hour)","Colour":"blue","Target":{"FunctionName":"recorder"}}""", 400, "InvalidRequestContentException", "Colour")]
    public async Task Put_BadInput_GetsAClearErrorAndChangesNothing(string body, int status, string type, string message)
    {
        using var response = await _host.Http.PutAsync("/stratus/v1/schedules/bad", new StringContent(body, Encoding.UTF8, "application/json"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var listed = JsonNode.Parse(await _host.Http.GetStringAsync("/stratus/v1/schedules"))!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(type, response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal("User", (string)error["Type"]!);
        Assert.Contains(message, (string)error["Message"]!, StringComparison.Ordinal);
        Assert.Empty(listed["Schedules"]!.AsArray());
    }

    [Fact]
    public async Task Put_BadName_IsRefused()
    {
        using var response = await _host.Http.PutAsync("/stratus/v1/schedules/" + new string('x', 65), new StringContent("""{"ScheduleExpression":"rate(1 hour)","Target":{"FunctionName":"recorder"}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("use 1-64 letters, digits", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, "/stratus/v1/schedules/" + path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Moves the server's clock and waits until the scheduler has handed over and stored the ticks.</summary>
    private Task TickAsync(string time) => AdvanceAsync(_host, _time, DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture));

    internal static async Task AdvanceAsync(StratusHost host, FakeTimeProvider time, DateTimeOffset to)
    {
        var scheduler = host.Server.Services.GetRequiredService<Scheduler>();
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFired(IReadOnlyList<ScheduleFiring> firings) => fired.TrySetResult();
        scheduler.Fired += OnFired;
        try
        {
            time.SetUtcNow(to);
            await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            scheduler.Fired -= OnFired;
        }
    }

    private Task<JsonNode> ReceivedAsync(string name) => ReceivedAsync(_shared, name);

    /// <summary>Waits (bounded) for the function to have written the event it received.</summary>
    internal static async Task<JsonNode> ReceivedAsync(string directory, string name)
    {
        var path = Path.Combine(directory, name + ".json");
        for (var attempt = 0; attempt < 1500; attempt++)
        {
            if (File.Exists(path) && await File.ReadAllTextAsync(path) is { Length: > 0 } text)
            {
                return JsonNode.Parse(text)!;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"the function did not receive {name} within 30 s");
    }
}
