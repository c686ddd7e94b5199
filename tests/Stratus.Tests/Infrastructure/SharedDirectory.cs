namespace Stratus.Tests.Infrastructure;

/// <summary>
/// A directory a test and its functions both write to, to signal each other. Functions run as users
/// of their own with a private /tmp, so it lives under /var/tmp and is open to everyone.
/// </summary>
public static class SharedDirectory
{
    public static string Create(string prefix)
    {
        var path = Path.Combine("/var/tmp", "stratus-tests", prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        return path;
    }
}
