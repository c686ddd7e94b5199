using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Cli;

/// <summary><c>stratus new dotnet</c> and <c>stratus deploy</c> of a C# project, with the real binary, SDK and server.</summary>
public sealed class DotnetTemplateTests : IAsyncLifetime
{
    private StratusHost _host = null!;
    private string _work = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync();
        _work = Directory.CreateTempSubdirectory("stratus-dotnet-new-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task NewTestDeployInvoke_GeneratedDotnetProject_PassesItsTestsAndRunsAsDeployed()
    {
        var created = await StratusAsync("new", "dotnet", "hello-cs", "--output", Path.Combine(_work, "hello-cs"));
        var project = Path.Combine(_work, "hello-cs");
        var tested = await ExternalTool.RunAsync("dotnet", ["test", "tests", "--nologo"], workingDirectory: project, timeout: TimeSpan.FromMinutes(5));
        var deployed = await StratusAsync("deploy", project);
        var invoked = await StratusAsync("invoke", "hello-cs", "--payload", """{"name":"Ada"}""", "--log");

        Assert.Equal(0, created.ExitCode);
        Assert.True(File.Exists(Path.Combine(project, "hello-cs.csproj")));
        Assert.True(tested.ExitCode == 0, tested.Stdout + tested.Stderr);
        Assert.Contains("Passed!", tested.Stdout);
        Assert.True(deployed.ExitCode == 0, deployed.Stderr);
        Assert.StartsWith("Deployed hello-cs (dotnet10, ", deployed.Stdout);
        Assert.Equal(0, invoked.ExitCode);
        Assert.StartsWith("""{"message":"Hello, Ada!","requestId":""", invoked.Stdout);
        Assert.Contains("Greeting Ada", invoked.Stderr);
    }

    [Fact]
    public async Task New_UnknownTemplateOrBadName_ExitsWithUsageError()
    {
        var unknown = await StratusAsync("new", "cobol", "x", "--output", Path.Combine(_work, "x"));
        var badName = await StratusAsync("new", "dotnet", "no spaces", "--output", Path.Combine(_work, "y"));

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("cobol", unknown.Stderr);
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("'no spaces' cannot name a function", badName.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_work, "x")));
    }

    private Task<ExternalTool.Output> StratusAsync(params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args, .. args[0] == "new" ? Array.Empty<string>() : ["--endpoint", _host.Endpoint]],
            new Dictionary<string, string> { ["NO_COLOR"] = "1", ["COLUMNS"] = "200" }, timeout: TimeSpan.FromMinutes(5));
}
