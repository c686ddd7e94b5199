using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// Runs the real AWS CLI v2 (<c>/usr/bin/aws … lambda …</c>) against a Stratus endpoint, isolated from
/// this machine's own AWS setup: the environment is cleared, credentials are dummies, there is no
/// config or credentials file, no pager and no instance-metadata lookup.
/// </summary>
public sealed class AwsCli
{
    public const string Program = "/usr/bin/aws";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly string _endpoint;
    private readonly string _home;
    private readonly string _service;
    private readonly string _accessKeyId;
    private readonly string _secret;

    /// <param name="endpoint">The server, e.g. <c>http://127.0.0.1:5123</c>.</param>
    /// <param name="home">A private directory used as HOME and working directory.</param>
    /// <param name="service">The CLI's service command: <c>lambda</c>, or <c>sqs</c>.</param>
    /// <param name="accessKeyId">The key to sign with: the test servers' root key unless given.</param>
    public AwsCli(string endpoint, string home, string service = "lambda", string accessKeyId = Infrastructure.TestCredentials.AccessKeyId, string secret = Infrastructure.TestCredentials.Secret)
    {
        _accessKeyId = accessKeyId;
        _secret = secret;
        _endpoint = endpoint;
        _home = home;
        _service = service;
    }

    /// <summary>Runs <c>aws lambda &lt;arguments&gt;</c> and returns what it printed, whatever the exit code.</summary>
    public async Task<CliResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _home,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = _home;
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["AWS_ACCESS_KEY_ID"] = _accessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = _secret;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(_home, "no-such-aws-config");
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_home, "no-such-aws-credentials");
        start.Environment["AWS_PAGER"] = "";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var argument in (string[])["--endpoint-url", _endpoint, "--output", "json", _service, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"aws lambda {string.Join(' ', arguments)} did not finish within {CommandTimeout}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr, arguments);
    }

    /// <summary>Runs a command that must succeed and returns its JSON output.</summary>
    public async Task<JsonNode> JsonAsync(params string[] arguments)
    {
        var result = await SucceedsAsync(arguments);
        return JsonNode.Parse(result.Stdout) ?? throw new InvalidOperationException($"{result.Command} printed no JSON");
    }

    /// <summary>Runs a command that must exit 0 (waiters, delete-function) and returns its output.</summary>
    public async Task<CliResult> SucceedsAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"{result.Command} exited {result.ExitCode}\nstdout: {result.Stdout}\nstderr: {result.Stderr}");
        return result;
    }
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr, IReadOnlyList<string> Arguments)
{
    public string Command => "aws lambda " + string.Join(' ', Arguments);
}
