namespace Stratus.Bench.KeepAlive;

/// <summary>A clock the replay moves by hand: the policy reads simulated time as the server reads real time.</summary>
internal sealed class SimulatedTime : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 6, 0, 0, 0, TimeSpan.Zero);

    public TimeSpan Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Epoch + Now;

    public override long GetTimestamp() => Now.Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
}
