using System.Text;
using Stratus.Execution;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

public sealed class OutputLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stratus-output-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Take_ReturnsWhatWasAppendedSinceTheLastTake()
    {
        var path = Path.Combine(_directory, "a.log");
        using var log = new OutputLog(path);
        using var writer = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);

        writer.Write("first\né"u8);
        writer.Flush();
        var first = log.Take();
        writer.Write("\u00e8 second\n"u8.ToArray());
        writer.Flush();
        var second = log.Take();

        Assert.Equal("first\né", first);
        Assert.Equal("è second\n", second);
    }

    [Fact]
    public async Task Take_FreesTheDiskBlocksOfOutputAlreadyRead()
    {
        var path = Path.Combine(_directory, "big.log");
        using var log = new OutputLog(path);
        using (var writer = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.Write(Encoding.ASCII.GetBytes(new string('x', 8 * 1024 * 1024)));
        }

        log.Take();
        var usage = await ExternalTool.RunAsync("du", ["--block-size=1", path]);

        Assert.Equal(8 * 1024 * 1024, new FileInfo(path).Length);
        Assert.True(long.Parse(usage.Stdout.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture) < 1024 * 1024, usage.Stdout);
    }
}
