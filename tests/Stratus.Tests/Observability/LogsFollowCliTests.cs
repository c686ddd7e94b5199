using System.Diagnostics;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Observability;

/// <summary><c>stratus logs -f</c> with the real binaries: the server process and the CLI following it.</summary>
public sealed class LogsFollowCliTests
{
    [Fact]
    public async Task LogsFollow_NewInvocation_ItsLinesArrive()
    {
        var work = Directory.CreateTempSubdirectory("stratus-follow-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(Path.Combine(work, "data"));
            await FollowAsync(work, server.Http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task FollowAsync(string work, string endpoint)
    {
        var zip = Path.Combine(work, "follow.zip");
        await File.WriteAllBytesAsync(zip, Zips.Create(("index.js", "exports.handler = async (e) => { console.log('followed', e.n); return e.n; };")));
        Assert.Equal(0, (await Cli(endpoint, "deploy", zip, "--runtime", "nodejs20.x", "--handler", "index.handler")).ExitCode);
        Assert.Equal(0, (await Cli(endpoint, "invoke", "follow", "--payload", """{"n":"before"}""")).ExitCode);

        using var follower = Process.Start(Start(endpoint, "logs", "follow", "-f"))!;
        var stdout = new LineWatcher(follower.StandardOutput);
        var stderr = new LineWatcher(follower.StandardError);
        try
        {
            // Subscribed once it says it is following; the earlier invocation is shown first.
            await stderr.WaitForAsync("Following the logs of follow");
            await stdout.WaitForAsync("followed before");

            var invoked = await Cli(endpoint, "invoke", "follow", "--payload", """{"n":"after"}""");

            Assert.Equal(0, invoked.ExitCode);
            await stdout.WaitForAsync("followed after");
            await stdout.WaitForAsync("REPORT RequestId:", after: "followed after");

            var searched = await Cli(endpoint, "logs", "follow", "--filter", "followed after");
            Assert.Contains("followed after", searched.Stdout);
            Assert.DoesNotContain("followed before", searched.Stdout);
        }
        finally
        {
            follower.Kill(entireProcessTree: true);
            await follower.WaitForExitAsync();
        }
    }

    private static Task<ExternalTool.Output> Cli(string endpoint, params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args, "--endpoint", endpoint], new Dictionary<string, string> { ["NO_COLOR"] = "1" });

    private static ProcessStartInfo Start(string endpoint, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args, "--endpoint", endpoint])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        return start;
    }
}
