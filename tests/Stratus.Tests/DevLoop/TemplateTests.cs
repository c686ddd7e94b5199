using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.DevLoop;

/// <summary><c>stratus new</c>: each template's project passes its own test, deploys and answers as generated.</summary>
public sealed class TemplateTests : ServerWorkspace
{
    [Theory]
    [InlineData("node", "nodejs20.x", "npm", "test")]
    [InlineData("node", "nodejs22.x", "npm", "test")]
    [InlineData("python", "python3.12", "python3", "-m unittest discover -s tests")]
    [InlineData("python", "python3.11", "python3", "-m unittest discover -s tests")]
    public async Task New_Template_PassesItsOwnTestDeploysAndAnswers(string template, string runtime, string testProgram, string testArguments)
    {
        var project = Path.Combine(Work, "hello");

        var created = await StratusCommand.RunOfflineAsync("new", template, "hello", "--runtime", runtime, "--output", project);
        var tested = await ExternalTool.RunAsync(testProgram, testArguments.Split(' '), workingDirectory: project);
        var deployed = await StratusCommand.RunAsync(Host, "deploy", project);
        var invoked = await StratusCommand.RunAsync(Host, "invoke", "hello", "--payload", """{"name":"Ada"}""");
        var configuration = JsonNode.Parse(await Host.Http.GetStringAsync("/2015-03-31/functions/hello/configuration"))!;

        Assert.Equal(0, created.ExitCode);
        Assert.Contains("Created hello", created.Stdout);
        Assert.True(tested.ExitCode == 0, $"the generated test failed: {tested.Stdout}{tested.Stderr}");
        Assert.Equal(0, deployed.ExitCode);
        Assert.Contains("function hello: created", deployed.Stdout);
        Assert.Equal(0, invoked.ExitCode);
        Assert.Equal("Hello, Ada!", (string)JsonNode.Parse(invoked.Stdout)!["message"]!);
        Assert.Equal(runtime, (string)configuration["Runtime"]!);
    }

    [Fact]
    public async Task New_ThenDeployTwice_SecondDeployChangesNothing()
    {
        var project = Path.Combine(Work, "twice");
        await StratusCommand.RunOfflineAsync("new", "python", "twice", "--output", project);

        var first = await StratusCommand.RunAsync(Host, "deploy", project);
        var second = await StratusCommand.RunAsync(Host, "deploy", project);

        Assert.Contains("function twice: created", first.Stdout);
        Assert.Contains("function twice: unchanged", second.Stdout);
        Assert.Contains("nothing changed", second.Stdout);
    }

    [Fact]
    public async Task New_IntoANonEmptyDirectory_RefusesAndWritesNothing()
    {
        var project = Path.Combine(Work, "taken");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "mine.txt"), "keep");

        var refused = await StratusCommand.RunOfflineAsync("new", "node", "taken", "--output", project);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("not empty", refused.Stderr);
        Assert.Equal(["mine.txt"], Directory.GetFileSystemEntries(project).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("ruby", "hello", "'node'")]
    [InlineData("node", "bad.name", "cannot name a function")]
    [InlineData("node", "hello --runtime python3.12", "runs on nodejs20.x, nodejs22.x")]
    public async Task New_BadRequest_SaysWhatIsAllowed(string template, string nameAndOptions, string expected)
    {
        var refused = await StratusCommand.RunOfflineAsync(["new", template, .. nameAndOptions.Split(' '), "--output", Path.Combine(Work, "x")]);

        Assert.Equal(2, refused.ExitCode);
        Assert.Contains(expected, refused.Stderr);
        Assert.False(Directory.Exists(Path.Combine(Work, "x")));
    }
}
