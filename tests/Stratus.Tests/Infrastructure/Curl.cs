using System.Text;

namespace Stratus.Tests.Infrastructure;

/// <summary>Runs the real <c>curl</c> and reads back exactly what it received: status, headers and body bytes.</summary>
public static class Curl
{
    public const string Program = "/usr/bin/curl";

    public static async Task<CurlResponse> RunAsync(string url, params string[] arguments)
    {
        var work = Path.Combine(Path.GetTempPath(), "stratus-curl", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var headers = Path.Combine(work, "headers");
            var body = Path.Combine(work, "body");
            var result = await ExternalTool.RunAsync(Program, ["-sS", "--max-time", "60", "-D", headers, "-o", body, .. arguments, url], workingDirectory: work);
            Assert.True(result.ExitCode == 0, $"curl {string.Join(' ', arguments)} {url} exited {result.ExitCode}: {result.Stderr}");
            return CurlResponse.Parse(await File.ReadAllTextAsync(headers), File.Exists(body) ? await File.ReadAllBytesAsync(body) : []);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Writes <paramref name="content"/> to a temporary file for <c>--data-binary @file</c>.</summary>
    public static string TempFile(byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), "stratus-curl", Guid.NewGuid().ToString("N") + ".bin");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }
}

public sealed record CurlResponse(int Status, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public System.Text.Json.Nodes.JsonNode Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!;

    public string? Header(string name) => Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public IReadOnlyList<string> All(string name) => [.. Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];

    /// <summary>Reads the last response block of a <c>-D</c> dump (after any 100 Continue).</summary>
    public static CurlResponse Parse(string dump, byte[] body)
    {
        var lines = dump.Split("\r\n");
        var start = Array.FindLastIndex(lines, l => l.StartsWith("HTTP/", StringComparison.Ordinal));
        var status = int.Parse(lines[start].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(start + 1)
            .Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => (l[..l.IndexOf(':', StringComparison.Ordinal)], l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .ToList();
        return new CurlResponse(status, headers, body);
    }
}
