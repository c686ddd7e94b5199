using Stratus.Execution;

namespace Stratus.Tests.Execution;

public sealed class IdleTimeHistogramTests
{
    [Fact]
    public void Add_IdleTimes_CountsThemInOneMinuteBins()
    {
        var histogram = new IdleTimeHistogram();

        histogram.Add(TimeSpan.FromSeconds(30));
        histogram.Add(TimeSpan.FromSeconds(60));
        histogram.Add(TimeSpan.FromSeconds(119));

        Assert.Equal(240, histogram.BinCount);
        Assert.Equal(1, histogram[0]);
        Assert.Equal(2, histogram[1]);
        Assert.Equal(3, histogram.Count);
    }

    [Fact]
    public void Add_AtOrBeyondTheRange_CountsItOutOfRangeOnly()
    {
        var histogram = new IdleTimeHistogram();

        histogram.Add(IdleTimeHistogram.Range);
        histogram.Add(TimeSpan.FromDays(3));
        histogram.Add(IdleTimeHistogram.Range - TimeSpan.FromSeconds(1));

        Assert.Equal(3, histogram.Count);
        Assert.Equal(2, histogram.OutOfRange);
        Assert.Equal(1, histogram.InRange);
        Assert.Equal(1, histogram[239]);
    }

    [Fact]
    public void BinAt_Fraction_ReturnsTheBinHoldingThatShareCountedFromTheShortest()
    {
        var histogram = new IdleTimeHistogram();
        Add(histogram, minutes: 2, times: 5);
        Add(histogram, minutes: 5, times: 94);
        Add(histogram, minutes: 9, times: 1);

        Assert.Equal(2, histogram.BinAt(0.05));
        Assert.Equal(5, histogram.BinAt(0.06));
        Assert.Equal(5, histogram.BinAt(0.99));
        Assert.Equal(9, histogram.BinAt(1));
        Assert.Equal(-1, new IdleTimeHistogram().BinAt(0.5));
    }

    [Fact]
    public void CoefficientOfVariation_OneBinAgainstAnEvenSpread_IsHighAgainstZero()
    {
        var gathered = new IdleTimeHistogram();
        var even = new IdleTimeHistogram();
        Add(gathered, minutes: 7, times: 50);
        for (var minute = 0; minute < 240; minute++)
        {
            Add(even, minute, times: 1);
        }

        Assert.Equal(Math.Sqrt(239), gathered.CoefficientOfVariation(), precision: 9);
        Assert.Equal(0, even.CoefficientOfVariation(), precision: 9);
    }

    [Fact]
    public void Add_AtCapacity_HalvesEveryCountButKeepsRareIdleTimes()
    {
        var histogram = new IdleTimeHistogram();
        Add(histogram, minutes: 3, times: 1000);
        Add(histogram, minutes: 7, times: 1);
        histogram.Add(TimeSpan.FromHours(5));

        Add(histogram, minutes: 3, times: (int)IdleTimeHistogram.Capacity - 1002);

        Assert.Equal(999, histogram[3]);
        Assert.Equal(1, histogram[7]);
        Assert.Equal(1, histogram.OutOfRange);
        Assert.Equal(1001, histogram.Count);
        Assert.Equal(Math.Sqrt((240.0 * ((999 * 999) + 1) / (1000 * 1000)) - 1), histogram.CoefficientOfVariation(), precision: 9);
    }

    private static void Add(IdleTimeHistogram histogram, int minutes, int times)
    {
        for (var i = 0; i < times; i++)
        {
            histogram.Add(TimeSpan.FromMinutes(minutes) + TimeSpan.FromSeconds(30));
        }
    }
}
