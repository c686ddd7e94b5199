namespace Stratus.Bench.KeepAlive;

/// <summary>
/// The synthetic trace: two days of a mix of functions like those a shared node runs. Each function
/// draws from its own seeded random source, so the trace is the same on every run and machine, and
/// adding a function leaves the others' invocations as they were.
/// </summary>
internal static class TraceGenerator
{
    public const int DefaultSeed = 2020;
    public static readonly TimeSpan Length = TimeSpan.FromDays(2);

    public static IReadOnlyList<TraceFunction> Generate(int seed = DefaultSeed)
    {
        var horizon = Length.TotalSeconds;
        return
        [
            // Periodic: timers and cron jobs. Exact ones, jittered ones (a scheduler's or a client's
            // drift), one that fans out to several invocations at once, and ones just around the fixed
            // keep-alive (10 minutes) and well beyond it.
            Periodic(seed + 1, "cron-2m", 128, "every 2 min", period: 120, jitter: 0, fanOut: 1, duration: 0.3, horizon),
            Periodic(seed + 2, "cron-5m-jitter", 256, "every 5 min ± 20 s", period: 300, jitter: 20, fanOut: 1, duration: 1, horizon),
            Periodic(seed + 3, "cron-10m-fanout", 512, "every 10 min, 4 at once", period: 600, jitter: 0, fanOut: 4, duration: 3, horizon),
            Periodic(seed + 4, "cron-15m", 512, "every 15 min", period: 900, jitter: 0, fanOut: 1, duration: 2, horizon),
            Periodic(seed + 5, "cron-30m-jitter", 1024, "every 30 min ± 2 min", period: 1800, jitter: 120, fanOut: 1, duration: 5, horizon),
            Periodic(seed + 6, "cron-60m", 2048, "every hour", period: 3600, jitter: 0, fanOut: 1, duration: 30, horizon),

            // Bursty: Poisson bursts (sizes and gaps at random) separated by long idle gaps.
            Bursty(seed + 7, "burst-20m", 256, "bursts of ~15 every ~20 min", meanGap: 1200, meanSize: 15, meanSpacing: 2, duration: 1.5, horizon),
            Bursty(seed + 8, "burst-1h", 512, "bursts of ~40 every ~1 h", meanGap: 3600, meanSize: 40, meanSpacing: 0.5, duration: 0.8, horizon),
            Bursty(seed + 9, "burst-3h", 128, "bursts of ~100 every ~3 h", meanGap: 10800, meanSize: 100, meanSpacing: 0.2, duration: 0.4, horizon),

            // Rare: a few invocations a day at random times.
            Steady(seed + 10, "rare-6h", "rare", 512, "~4 a day", meanGap: 6 * 3600, duration: 2, horizon),
            Steady(seed + 11, "rare-daily", "rare", 1024, "~1 a day", meanGap: 24 * 3600, duration: 10, horizon),

            // Steady: Poisson arrivals, from an API taking a request every few seconds (several at
            // once now and then) to a queue worker polled about once a minute.
            Steady(seed + 12, "steady-api", "steady", 256, "Poisson, 1 per 5 s, 2 s each", meanGap: 5, duration: 2, horizon),
            Steady(seed + 13, "steady-worker", "steady", 1024, "Poisson, 1 per min", meanGap: 60, duration: 10, horizon),
            Diurnal(seed + 14, "steady-diurnal", 256, "Poisson, 1 per 30 s by day, 1 per 2 h by night", dayGap: 30, nightGap: 7200, duration: 0.5, horizon),
        ];
    }

    private static TraceFunction Periodic(int seed, string name, int memory, string pattern, double period, double jitter, int fanOut, double duration, double horizon)
    {
        var random = new Random(seed);
        var invocations = new List<TraceInvocation>();
        for (var tick = period * random.NextDouble(); tick < horizon; tick += period)
        {
            var start = tick + (jitter * ((2 * random.NextDouble()) - 1));
            for (var i = 0; i < fanOut; i++)
            {
                Add(invocations, start, Duration(random, duration));
            }
        }

        return Function(name, "periodic", memory, pattern, invocations);
    }

    private static TraceFunction Bursty(int seed, string name, int memory, string pattern, double meanGap, double meanSize, double meanSpacing, double duration, double horizon)
    {
        var random = new Random(seed);
        var invocations = new List<TraceInvocation>();
        var time = Exponential(random, meanGap);
        while (time < horizon)
        {
            var size = Math.Max(1, Poisson(random, meanSize));
            for (var i = 0; i < size && time < horizon; i++)
            {
                Add(invocations, time, Duration(random, duration));
                time += Exponential(random, meanSpacing);
            }

            time += Exponential(random, meanGap);
        }

        return Function(name, "bursty", memory, pattern, invocations);
    }

    private static TraceFunction Steady(int seed, string name, string kind, int memory, string pattern, double meanGap, double duration, double horizon)
    {
        var random = new Random(seed);
        var invocations = new List<TraceInvocation>();
        for (var time = Exponential(random, meanGap); time < horizon; time += Exponential(random, meanGap))
        {
            Add(invocations, time, Duration(random, duration));
        }

        return Function(name, kind, memory, pattern, invocations);
    }

    /// <summary>Busy from 08:00 to 20:00, quiet at night: a Poisson process whose rate follows the clock.</summary>
    private static TraceFunction Diurnal(int seed, string name, int memory, string pattern, double dayGap, double nightGap, double duration, double horizon)
    {
        var random = new Random(seed);
        var invocations = new List<TraceInvocation>();
        var time = 0.0;
        while (true)
        {
            var hour = time / 3600 % 24;
            var day = hour is >= 8 and < 20;
            var next = time + Exponential(random, day ? dayGap : nightGap);
            // A gap drawn at one rate that crosses into the other period restarts there (memorylessness).
            var boundary = (Math.Floor(time / 3600 / 24) * 24 * 3600) + ((day ? 20 : hour < 8 ? 8 : 32) * 3600);
            if (next >= boundary)
            {
                time = boundary;
                continue;
            }

            if (next >= horizon)
            {
                break;
            }

            time = next;
            Add(invocations, time, Duration(random, duration));
        }

        return Function(name, "steady", memory, pattern, invocations);
    }

    private static TraceFunction Function(string name, string kind, int memory, string pattern, List<TraceInvocation> invocations)
    {
        invocations.Sort((a, b) => a.StartMs.CompareTo(b.StartMs));
        return new TraceFunction(name, kind, memory, pattern, invocations);
    }

    private static void Add(List<TraceInvocation> invocations, double startSeconds, double durationSeconds)
    {
        if (startSeconds >= 0)
        {
            invocations.Add(new TraceInvocation((long)(startSeconds * 1000), Math.Max(1, (long)(durationSeconds * 1000))));
        }
    }

    /// <summary>Log-normal around the mean (σ = 0.3): durations vary, rarely by more than a factor of two.</summary>
    private static double Duration(Random random, double mean)
    {
        const double Sigma = 0.3;
        return mean * Math.Exp((Sigma * Normal(random)) - (Sigma * Sigma / 2));
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Exponential(Random random, double mean) => -mean * Math.Log(1 - random.NextDouble());

    private static int Poisson(Random random, double mean)
    {
        // Knuth's method; the means here are small enough for it.
        var limit = Math.Exp(-mean);
        var product = random.NextDouble();
        var count = 0;
        while (product > limit)
        {
            product *= random.NextDouble();
            count++;
        }

        return count;
    }
}
