using Microsoft.Extensions.Time.Testing;
using Stratus.Execution;

namespace Stratus.Tests.Execution;

public sealed class CpuSaturationTests
{
    [Fact]
    public void TryParse_ProcStat_BusyIsAllButIdleAndIowait()
    {
        const string Stat = "cpu  100 5 50 800 40 3 2 10 7 0\ncpu0 50 2 25 400 20 1 1 5 0 0\nintr 1\n";

        Assert.True(CpuSaturation.TryParse(Stat, out var busy, out var total));

        Assert.Equal(1010, total);
        Assert.Equal(170, busy);
        Assert.False(CpuSaturation.TryParse("intr 1\n", out _, out _));
    }

    [Fact]
    public void Saturated_FromTheBusyShareBetweenSamples_TakenAtMostEveryInterval()
    {
        var time = new FakeTimeProvider();
        var stat = "cpu  100 0 0 100 0 0 0 0\n";
        var reads = 0;
        var cores = new CpuSaturation(time, () => { reads++; return stat; });

        Assert.False(cores.Saturated);
        stat = "cpu  1050 0 0 150 0 0 0 0\n";
        Assert.False(cores.Saturated);
        Assert.Equal(1, reads);

        time.Advance(CpuSaturation.Interval);
        Assert.True(cores.Saturated);

        stat = "cpu  1500 0 0 700 0 0 0 0\n";
        time.Advance(CpuSaturation.Interval);
        Assert.False(cores.Saturated);
        Assert.Equal(3, reads);
    }

    [Fact]
    public void Saturated_Unreadable_IsNo()
    {
        var time = new FakeTimeProvider();
        var cores = new CpuSaturation(time, () => null);
        Assert.False(cores.Saturated);
        time.Advance(CpuSaturation.Interval);
        Assert.False(cores.Saturated);
    }

    [Fact]
    public void ParseProcessStat_CommandWithSpacesAndParentheses_SumsUserSystemAndChildren()
    {
        var line = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 120 30 4 6 20 0 11 0 5000 100000 2000 18446744073709551615\n"u8;

        Assert.Equal((120 + 30 + 4 + 6) * 10_000L, CpuTime.ParseProcessStat(line));
        Assert.Equal(0, CpuTime.ParseProcessStat("garbage"u8));
    }
}
