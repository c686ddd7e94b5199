using Stratus.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// Runs the <c>node:test</c> suite in <c>tests/sdk/</c>, which drives a real Stratus server with the real
/// AWS SDK for JavaScript v3 (<c>@aws-sdk/client-lambda</c> and <c>@aws-sdk/client-sqs</c>, pinned in <c>tests/sdk/package.json</c>).
/// The SDK comes from npm: <c>npm ci --prefix tests/sdk</c> must have run first.
/// </summary>
public sealed class JavaScriptSdkTests
{
    private static readonly TimeSpan SuiteTimeout = TimeSpan.FromMinutes(3);
    private readonly ITestOutputHelper _output;

    public JavaScriptSdkTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task NodeTestSuite_WithTheAwsSdkForJavaScript_Passes()
    {
        var root = RepositoryRoot();
        var sdk = Path.Combine(root, "tests", "sdk");
        Assert.True(
            Directory.Exists(Path.Combine(sdk, "node_modules", "@aws-sdk", "client-lambda")),
            $"The AWS SDK for JavaScript is not installed in {sdk}/node_modules: run `npm ci --prefix tests/sdk` in {root} first.");

        await using var host = await StratusHost.StartAsync();
        var home = Path.Combine(Path.GetTempPath(), "stratus-sdk-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["STRATUS_ENDPOINT"] = host.Endpoint,

                // Keep this machine's AWS setup out of the SDK: no shared config, no instance metadata.
                ["AWS_CONFIG_FILE"] = Path.Combine(home, "no-such-aws-config"),
                ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "no-such-aws-credentials"),
                ["AWS_EC2_METADATA_DISABLED"] = "true",
                ["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true",
            };
            ExternalTool.Output result;
            try
            {
                result = await ExternalTool.RunAsync("node", ["--test", "--test-reporter=spec", "tests/sdk/"], environment, root, SuiteTimeout);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                Assert.Fail($"Could not start node (Node.js 20 or later must be on PATH): {ex.Message}");
                return;
            }

            var printed = $"node --test tests/sdk/ exited {result.ExitCode}\n--- stdout ---\n{result.Stdout}\n--- stderr ---\n{result.Stderr}";
            _output.WriteLine(printed);
            Assert.True(result.ExitCode == 0, printed);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>The directory holding Stratus.slnx, found by walking up from the test binaries.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Stratus.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Stratus.slnx above {AppContext.BaseDirectory}");
    }
}
