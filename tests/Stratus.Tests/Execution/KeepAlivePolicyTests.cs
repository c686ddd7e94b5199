using Microsoft.Extensions.Time.Testing;
using Stratus.Execution;

namespace Stratus.Tests.Execution;

public sealed class KeepAlivePolicyTests
{
    private static readonly TimeSpan Fixed = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 6, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Windows_TooFewIdleTimes_AreTheFixedKeepAlive()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: true, _time);

        Periodic(policy, TimeSpan.FromMinutes(5), invocations: KeepAlivePolicy.MinimumIdleTimes);

        Assert.Equal(new KeepAliveWindows(TimeSpan.Zero, Fixed, KeepAlivePolicy.TooFewIdleTimes), policy.Windows);
        Assert.Equal(KeepAlivePolicy.MinimumIdleTimes - 1, policy.Snapshot().IdleTimes);
    }

    [Fact]
    public void Windows_PeriodicFunction_PreWarmJustBeforeTheNextInvocation()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: true, _time);

        // Every 5 minutes for 1 s: idle for 4 min 59 s each time, in the bin from 4 to 5 minutes.
        Periodic(policy, TimeSpan.FromMinutes(5), invocations: KeepAlivePolicy.MinimumIdleTimes + 1);

        // Pre-warm: 4 min less 10 %; keep until 5 min plus 10 %.
        Assert.Equal(new KeepAliveWindows(TimeSpan.FromSeconds(216), TimeSpan.FromSeconds(330 - 216), null), policy.Windows);
        var snapshot = policy.Snapshot();
        Assert.Equal(("histogram", 216.0, 114.0, 10L), (snapshot.Policy, snapshot.PreWarmSeconds, snapshot.KeepAliveSeconds, snapshot.IdleTimes));
    }

    [Fact]
    public void Windows_FixedPolicyChosen_StayFixedWhateverTheHistory()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: false, _time);

        Periodic(policy, TimeSpan.FromMinutes(5), invocations: 30);

        Assert.Equal(new KeepAliveWindows(TimeSpan.Zero, Fixed, KeepAlivePolicy.FixedChosen), policy.Windows);
        Assert.Equal("fixed", policy.Snapshot().Policy);
    }

    [Fact]
    public void Windows_MostIdleTimesLongerThanTheRange_AreTheFixedKeepAlive()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: true, _time);

        Periodic(policy, TimeSpan.FromHours(5), invocations: 20);

        Assert.Equal(KeepAlivePolicy.TooManyOutOfRange, policy.Windows.Fallback);
        Assert.Equal(19, policy.Snapshot().IdleTimesOutOfRange);
    }

    [Fact]
    public void Windows_IdleTimesSpreadEvenly_AreTheFixedKeepAlive()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: true, _time);

        for (var minutes = 0; minutes < 200; minutes++)
        {
            Invoke(policy);
            _time.Advance(TimeSpan.FromMinutes(minutes + 0.5));
        }

        Invoke(policy);

        Assert.Equal(KeepAlivePolicy.SpreadOut, policy.Windows.Fallback);
    }

    [Fact]
    public void Windows_RareLongIdleTimesAmongShortOnes_AreTheFixedKeepAliveBecauseTheTailWouldNotPay()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: true, _time);

        // The 99th percentile is the 100-minute gap: keeping every instance that long would hold far
        // more idle memory than the one cold start it saves is worth.
        for (var i = 0; i < 9; i++)
        {
            Invoke(policy);
            _time.Advance(TimeSpan.FromSeconds(30));
        }

        Invoke(policy);
        _time.Advance(TimeSpan.FromMinutes(100.5));
        Invoke(policy);

        Assert.Equal(KeepAlivePolicy.DoesNotPay, policy.Windows.Fallback);
    }

    [Fact]
    public void Windows_ShortIdleTimesOnly_KeepInstancesBrieflyWithoutPreWarming()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: true, _time);

        for (var i = 0; i < 20; i++)
        {
            Invoke(policy);
            _time.Advance(TimeSpan.FromSeconds(20));
        }

        Invoke(policy);

        Assert.Equal(new KeepAliveWindows(TimeSpan.Zero, TimeSpan.FromSeconds(66), null), policy.Windows);
    }

    [Fact]
    public void Arrived_WithInvocationsInFlight_MeasuresTheIdleTimeOfTheInstanceItCanReuse()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: true, _time);

        // Two at once every 10 minutes; one takes 1 s, the other 2 minutes. The first instance waits
        // 8 minutes for the next pair, the second 9 min 59 s: the keep-alive must reach that far.
        for (var i = 0; i < 10; i++)
        {
            policy.Arrived();
            policy.Arrived();
            _time.Advance(TimeSpan.FromSeconds(1));
            policy.Finished();
            _time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
            policy.Finished();
            _time.Advance(TimeSpan.FromMinutes(8));
        }

        Assert.Equal(18, policy.Snapshot().IdleTimes);
        Assert.Equal(new KeepAliveWindows(TimeSpan.FromMinutes(7.2), TimeSpan.FromMinutes(11 - 7.2), null), policy.Windows);
    }

    [Fact]
    public void TakePreWarm_OnceThePreWarmWindowIsOver_StartsAsManyAsRanAtOnceOncePerIdlePeriod()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: true, _time);
        Periodic(policy, TimeSpan.FromMinutes(5), invocations: KeepAlivePolicy.MinimumIdleTimes + 1, atOnce: 3);

        _time.Advance(TimeSpan.FromSeconds(215));
        var early = policy.TakePreWarm();
        _time.Advance(TimeSpan.FromSeconds(1));
        var due = policy.TakePreWarm();
        var again = policy.TakePreWarm();

        Assert.Equal((0, 3, 0), (early, due, again));
    }

    [Fact]
    public void TakePreWarm_PastTheKeepAliveWindowOrWhileRunning_StartsNone()
    {
        var late = new KeepAlivePolicy(Fixed, adaptive: true, _time);
        var running = new KeepAlivePolicy(Fixed, adaptive: true, _time);
        Periodic(late, TimeSpan.FromMinutes(5), invocations: KeepAlivePolicy.MinimumIdleTimes + 1);
        Periodic(running, TimeSpan.FromMinutes(5), invocations: KeepAlivePolicy.MinimumIdleTimes + 1);
        running.Arrived();

        _time.Advance(TimeSpan.FromSeconds(330));

        Assert.Equal(0, late.TakePreWarm());
        Assert.Equal(0, running.TakePreWarm());
    }

    [Fact]
    public void TakePreWarm_FixedKeepAlive_StartsNone()
    {
        var policy = new KeepAlivePolicy(Fixed, adaptive: false, _time);
        Periodic(policy, TimeSpan.FromMinutes(5), invocations: 30);

        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(0, policy.TakePreWarm());
    }

    [Fact]
    public void IdleLimit_WithAPreWarmWindow_LetsUsedInstancesGoAndKeepsPreWarmedOnes()
    {
        var preWarming = new KeepAliveWindows(TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(2), null);
        var keeping = new KeepAliveWindows(TimeSpan.Zero, TimeSpan.FromMinutes(2), null);

        Assert.Equal(TimeSpan.Zero, preWarming.IdleLimit(startedAhead: false));
        Assert.Equal(TimeSpan.FromMinutes(2), preWarming.IdleLimit(startedAhead: true));
        Assert.Equal(TimeSpan.FromMinutes(2), keeping.IdleLimit(startedAhead: false));
    }

    /// <summary>Invocations lasting 1 s, <paramref name="atOnce"/> at a time, one period apart; ends just after the last.</summary>
    private void Periodic(KeepAlivePolicy policy, TimeSpan period, int invocations, int atOnce = 1)
    {
        for (var i = 0; i < invocations; i++)
        {
            if (i > 0)
            {
                _time.Advance(period - TimeSpan.FromSeconds(1));
            }

            for (var j = 0; j < atOnce; j++)
            {
                policy.Arrived();
            }

            _time.Advance(TimeSpan.FromSeconds(1));
            for (var j = 0; j < atOnce; j++)
            {
                policy.Finished();
            }
        }
    }

    private static void Invoke(KeepAlivePolicy policy)
    {
        policy.Arrived();
        policy.Finished();
    }
}
