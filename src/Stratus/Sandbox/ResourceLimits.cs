namespace Stratus.Sandbox;

/// <summary>What one instance may use, derived from its function's configuration as Lambda derives it.</summary>
internal sealed record ResourceLimits(long MemoryBytes, long CpuQuotaMicroseconds, int MaxProcesses)
{
    public const long CpuPeriodMicroseconds = 100_000;

    /// <summary>Lambda gives one full vCPU at 1,769 MB and a proportional share below or above.</summary>
    public const int MegabytesPerCpu = 1769;

    /// <summary>Lambda's limit on processes and threads in one execution environment.</summary>
    public const int DefaultMaxProcesses = 1024;

    public static ResourceLimits ForMemory(int memoryMb)
    {
        var quota = Math.Max(1000, CpuPeriodMicroseconds * memoryMb / MegabytesPerCpu);
        return new ResourceLimits(memoryMb * 1024L * 1024L, quota, DefaultMaxProcesses);
    }
}
