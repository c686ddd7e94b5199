using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stratus.Api;
using Stratus.Events;
using Stratus.Storage;
using Stratus.Storage.Sqlite;

namespace Stratus.Tests.Events;

/// <summary>The scheduler on fake time with a real SQLite store: once per tick, and what a restart does.</summary>
public sealed class SchedulerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 30, TimeSpan.Zero);
    private static readonly ScheduleTarget Target = new("ticker", null, null);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingInvocations _invocations = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("stratus-schedules-").FullName;
    private readonly SqliteScheduleStore _store;
    private Scheduler _scheduler;

    public SchedulerTests()
    {
        _store = new SqliteScheduleStore(new SqliteDatabase(Path.Combine(_directory, "stratus.db")));
        _scheduler = NewScheduler(_store);
    }

    [Fact]
    public async Task Tick_EveryMinute_FiresOncePerTickWithTheScheduledEventEnvelope()
    {
        _scheduler.Start();
        _scheduler.Put("every-minute", "cron(* * * * ? *)", null, ScheduleState.Enabled, Target, MissedTicks.Skip);

        await AdvanceToAsync("2026-11-28T10:01:00Z");
        await AdvanceToAsync("2026-11-28T10:02:00Z");
        await AdvanceToAsync("2026-11-28T10:03:00Z");

        var events = _invocations.Accepted.ToArray();
        Assert.Equal(3, events.Length);
        Assert.Equal(["2026-11-28T10:01:00Z", "2026-11-28T10:02:00Z", "2026-11-28T10:03:00Z"], events.Select(e => (string)Json(e)["time"]!));
        var envelope = Json(events[0]);
        Assert.Equal("0", (string)envelope["version"]!);
        Assert.Equal("Scheduled Event", (string)envelope["detail-type"]!);
        Assert.Equal("aws.events", (string)envelope["source"]!);
        Assert.Equal("000000000000", (string)envelope["account"]!);
        Assert.Equal("us-east-1", (string)envelope["region"]!);
        Assert.Equal("arn:aws:scheduler:us-east-1:000000000000:schedule/default/every-minute", (string)envelope["resources"]![0]!);
        Assert.Empty(envelope["detail"]!.AsObject());
        Assert.True(Guid.TryParse((string)envelope["id"]!, out _));
        Assert.Equal("ticker", events[0].FunctionName);
        Assert.Equal("schedule", events[0].Source);
        Assert.Equal(3, events.Select(e => e.DeduplicationKey).Distinct().Count());
        Assert.Empty(_invocations.Duplicates);
    }

    [Fact]
    public async Task Tick_FixedInputAndQualifier_AreSentAsGiven()
    {
        _scheduler.Start();
        _scheduler.Put("fixed", "rate(1 minute)", null, ScheduleState.Enabled, new ScheduleTarget("ticker", "live", """{"job":"report"}"""), MissedTicks.Skip);

        await AdvanceToAsync("2026-11-28T10:01:30Z");

        var tick = Assert.Single(_invocations.Accepted);
        Assert.Equal("""{"job":"report"}""", Encoding.UTF8.GetString(tick.Payload));
        Assert.Equal("live", tick.Qualifier);
    }

    [Fact]
    public async Task Tick_DisabledSchedule_DoesNotFireUntilEnabled()
    {
        _scheduler.Start();
        _scheduler.Put("quiet", "cron(* * * * ? *)", null, ScheduleState.Disabled, Target, MissedTicks.CatchUpOnce);
        _scheduler.Put("loud", "cron(* * * * ? *)", null, ScheduleState.Enabled, Target, MissedTicks.Skip);

        await AdvanceToAsync("2026-11-28T10:01:00Z");
        await AdvanceToAsync("2026-11-28T10:02:00Z");
        var enabled = _scheduler.SetState("quiet", ScheduleState.Enabled);
        await AdvanceToAsync("2026-11-28T10:03:00Z");

        Assert.Equal(4, _invocations.Accepted.Count);
        Assert.Single(_invocations.Accepted, e => e.DeduplicationKey!.StartsWith("schedule:quiet@", StringComparison.Ordinal));
        Assert.Equal(Time("2026-11-28T10:03:00Z"), enabled.NextFireTimes[0]);
        Assert.Equal(Time("2026-11-28T10:03:00Z"), _scheduler.Get("quiet").LastFiring!.Tick);
    }

    [Fact]
    public async Task Restart_AfterDowntimeWithSkip_SendsTheFirstMissedTickOnly()
    {
        _scheduler.Start();
        _scheduler.Put("skipper", "cron(* * * * ? *)", null, ScheduleState.Enabled, Target, MissedTicks.Skip);
        await AdvanceToAsync("2026-11-28T10:01:00Z");
        await _scheduler.DisposeAsync();

        _time.SetUtcNow(Time("2026-11-28T10:10:30Z"));
        _scheduler = NewScheduler(_store);
        await FiredAsync(_scheduler.Start);
        await AdvanceToAsync("2026-11-28T10:11:00Z");

        Assert.Equal(["10:01", "10:02", "10:11"], Ticks());
    }

    [Fact]
    public async Task Restart_AfterDowntimeWithCatchUpOnce_SendsTheFirstMissedTickAndOneCatchUp()
    {
        _scheduler.Start();
        _scheduler.Put("catcher", "cron(* * * * ? *)", null, ScheduleState.Enabled, Target, MissedTicks.CatchUpOnce);
        await AdvanceToAsync("2026-11-28T10:01:00Z");
        await _scheduler.DisposeAsync();

        _time.SetUtcNow(Time("2026-11-28T10:10:30Z"));
        _scheduler = NewScheduler(_store);
        await FiredAsync(_scheduler.Start);
        await AdvanceToAsync("2026-11-28T10:11:00Z");

        Assert.Equal(["10:01", "10:02", "10:10", "10:11"], Ticks());
    }

    [Fact]
    public async Task Restart_CrashAfterHandOverBeforeStoring_ResendsTheTickAndItIsAcceptedOnce()
    {
        // A store that loses every firing stands for a crash between the hand-over and the write.
        var forgetful = new ForgetfulStore(_store);
        await _scheduler.DisposeAsync();
        _scheduler = NewScheduler(forgetful);
        _scheduler.Start();
        _scheduler.Put("crashy", "cron(* * * * ? *)", null, ScheduleState.Enabled, Target, MissedTicks.Skip);
        await AdvanceToAsync("2026-11-28T10:01:00Z");
        await _scheduler.DisposeAsync();

        _scheduler = NewScheduler(_store);
        await FiredAsync(_scheduler.Start);

        Assert.Equal(["10:01"], Ticks());
        var duplicate = Assert.Single(_invocations.Duplicates);
        Assert.Equal(_invocations.Accepted.Single().DeduplicationKey, duplicate.DeduplicationKey);
        Assert.True(_scheduler.Get("crashy").LastFiring!.Duplicate);
    }

    [Fact]
    public async Task Restart_StoredLastTick_IsNotSentAgain()
    {
        _scheduler.Start();
        _scheduler.Put("steady", "rate(1 minute)", null, ScheduleState.Enabled, Target, MissedTicks.CatchUpOnce);
        await AdvanceToAsync("2026-11-28T10:01:30Z");
        await _scheduler.DisposeAsync();

        _scheduler = NewScheduler(_store);
        _scheduler.Start();
        await AdvanceToAsync("2026-11-28T10:02:30Z");

        Assert.Equal(["10:01", "10:02"], Ticks());
        Assert.Empty(_invocations.Duplicates);
    }

    [Fact]
    public async Task Tick_FunctionGone_IsSpentAndTheErrorShownOnTheSchedule()
    {
        _scheduler.Start();
        _scheduler.Put("orphan", "cron(* * * * ? *)", null, ScheduleState.Enabled, Target, MissedTicks.Skip);
        _invocations.Failure = LambdaException.NotFound("Function not found: arn:aws:lambda:us-east-1:000000000000:function:ticker");

        await AdvanceToAsync("2026-11-28T10:01:00Z");

        var firing = _scheduler.Get("orphan").LastFiring!;
        Assert.Equal(Time("2026-11-28T10:01:00Z"), firing.Tick);
        Assert.Equal("ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:ticker", firing.Error);
        Assert.Null(firing.RequestId);
    }

    [Fact]
    public async Task Tick_AtExpression_FiresOnceAndThenHasNoNextTime()
    {
        _scheduler.Start();
        var created = _scheduler.Put("once", "at(2026-11-28T11:30:00)", "Europe/Paris", ScheduleState.Enabled, Target, MissedTicks.Skip);

        await AdvanceToAsync("2026-11-28T10:30:00Z");

        Assert.Equal([Time("2026-11-28T10:30:00Z")], created.NextFireTimes);
        Assert.Equal(["10:30"], Ticks());
        Assert.Empty(_scheduler.Get("once").NextFireTimes);
    }

    [Fact]
    public void Get_CronSchedule_ShowsTheNextThreeFireTimes()
    {
        _scheduler.Start();
        _scheduler.Put("hourly", "cron(0 * * * ? *)", null, ScheduleState.Enabled, Target, MissedTicks.Skip);

        var view = _scheduler.Get("hourly");

        Assert.Equal([Time("2026-11-28T11:00:00Z"), Time("2026-11-28T12:00:00Z"), Time("2026-11-28T13:00:00Z")], view.NextFireTimes);
    }

    [Fact]
    public void Delete_Schedule_IsGoneAfterRestart()
    {
        _scheduler.Start();
        _scheduler.Put("temp", "rate(5 minutes)", null, ScheduleState.Enabled, Target, MissedTicks.Skip);
        _scheduler.Delete("temp");

        Assert.Empty(_store.LoadAll());
        Assert.Equal("ResourceNotFoundException", Assert.Throws<LambdaException>(() => _scheduler.Get("temp")).ErrorType);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _scheduler.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private Scheduler NewScheduler(IScheduleStore store) =>
        new(store, _invocations, "us-east-1", "000000000000", _time, NullLogger<Scheduler>.Instance);

    /// <summary>Moves the fake clock and waits for the scheduler to store what it fired.</summary>
    private Task AdvanceToAsync(string time) => FiredAsync(() => _time.SetUtcNow(Time(time)));

    private async Task FiredAsync(Action action)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFired(IReadOnlyList<ScheduleFiring> firings) => fired.TrySetResult();
        _scheduler.Fired += OnFired;
        try
        {
            action();
            await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            _scheduler.Fired -= OnFired;
        }
    }

    private string[] Ticks() => _invocations.Accepted
        .Select(e => e.DeduplicationKey![(e.DeduplicationKey!.IndexOf('@', StringComparison.Ordinal) + 12)..][..5])
        .ToArray();

    private static JsonNode Json(Stratus.Invocation.AsyncEvent invocation) => JsonNode.Parse(invocation.Payload)!;

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private sealed class ForgetfulStore(IScheduleStore inner) : IScheduleStore
    {
        public IReadOnlyList<StoredSchedule> LoadAll() => inner.LoadAll();

        public void Put(ScheduleDefinition schedule) => inner.Put(schedule);

        public bool Delete(string name) => inner.Delete(name);

        public void RecordFirings(IReadOnlyList<ScheduleFiring> firings)
        {
        }
    }
}
