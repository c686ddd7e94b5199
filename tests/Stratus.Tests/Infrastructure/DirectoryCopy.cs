namespace Stratus.Tests.Infrastructure;

/// <summary>Copies a directory tree.</summary>
public static class DirectoryCopy
{
    /// <summary>Copies every file under <paramref name="from"/> to the same place under <paramref name="to"/>, those <paramref name="skip"/> names (by relative path) left out.</summary>
    public static void Copy(string from, string to, Func<string, bool>? skip = null)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (skip?.Invoke(relative) == true)
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
