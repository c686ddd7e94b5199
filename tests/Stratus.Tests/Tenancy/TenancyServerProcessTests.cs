using System.Diagnostics;

namespace Stratus.Tests.Tenancy;

/// <summary>`stratus server` as an operator starts it, with the tenancy settings in its environment.</summary>
public sealed class TenancyServerProcessTests : IDisposable
{
    private const string Id = "AKIASTRATUSPROCESS01";
    private const string Secret = "abcdefghijABCDEFGHIJ0123456789+/abcdefgh";
    private readonly string _data = Directory.CreateTempSubdirectory("stratus-tenancy-process-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Server_RootKeyAndInsecureFlagFromCommandLine_ListeningLineStaysFirst()
    {
        using var server = Start(new() { ["STRATUS_ROOT_ACCESS_KEY_ID"] = Id, ["STRATUS_ROOT_SECRET_ACCESS_KEY"] = Secret }, "--insecure-any-signature");
        var stderr = server.StandardError.ReadToEndAsync();
        try
        {
            var line = await server.StandardOutput.ReadLineAsync();

            Assert.StartsWith("Stratus listening on ", line);
            Assert.Contains($"aws_access_key_id = {Id}", await File.ReadAllTextAsync(Path.Combine(_data, "credentials")));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        var errors = await stderr;
        Assert.Contains("WARNING: --insecure-any-signature is on", errors);
        Assert.Contains(Id, errors);
        Assert.DoesNotContain(Secret, errors);
    }

    [Fact]
    public async Task Server_BadMasterKeyInEnvironment_ExitsWithTheReason()
    {
        using var server = Start(new() { ["STRATUS_MASTER_KEY"] = "c2hvcnQ=" });
        var stderr = server.StandardError.ReadToEndAsync();
        await server.WaitForExitAsync();

        Assert.Equal(2, server.ExitCode);
        Assert.Contains("STRATUS_MASTER_KEY must be 32 bytes in base64", await stderr);
        Assert.DoesNotContain("c2hvcnQ=", await stderr);
    }

    private Process Start(Dictionary<string, string> environment, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "stratus.dll"), "server", "--listen", "127.0.0.1:0", "--data", _data, "--standby-runtimes", "0" }.Concat(extra))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }
}
