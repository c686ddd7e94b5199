namespace Stratus.Tests.Infrastructure;

/// <summary>An empty directory of the test's own, deleted with everything in it when disposed.</summary>
public sealed class TempDirectory(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
