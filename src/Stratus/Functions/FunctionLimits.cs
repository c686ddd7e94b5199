namespace Stratus.Functions;

/// <summary>Lambda's limits, which Stratus enforces the same way.</summary>
public static class FunctionLimits
{
    public const int MinMemoryMb = 128;
    public const int MaxMemoryMb = 10240;
    public const int DefaultMemoryMb = 128;
    public const int MinTimeoutSeconds = 1;
    public const int MaxTimeoutSeconds = 900;
    public const int DefaultTimeoutSeconds = 3;
    public const int DefaultEphemeralStorageMb = 512;
    public const int MaxEphemeralStorageMb = 10240;
    public const int MaxEnvironmentBytes = 4 * 1024;
    public const long MaxZipBytes = 50L * 1024 * 1024;
    public const long MaxUnzippedBytes = 250L * 1024 * 1024;
    public const int MaxZipEntries = 20_000;

    /// <summary>The largest control-API request: a base64 50 MB zip plus its JSON envelope.</summary>
    public const long MaxControlRequestBytes = 70_167_211;
    public const int MaxSyncPayloadBytes = 6 * 1024 * 1024;
    public const int MaxAsyncPayloadBytes = 1024 * 1024;
    public const int MaxListItems = 10_000;
    public const int DefaultListItems = 50;
}
