using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.DevLoop;

/// <summary>The real <c>stratus</c> binary, run as a user would from a shell, against a test server.</summary>
internal static class StratusCommand
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "stratus.dll");

    public static readonly Dictionary<string, string> Environment = new() { ["NO_COLOR"] = "1", ["COLUMNS"] = "200" };

    public static Task<ExternalTool.Output> RunAsync(StratusHost host, params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Dll, .. args, "--endpoint", host.Endpoint], Environment);

    public static Task<ExternalTool.Output> RunOfflineAsync(params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Dll, .. args], Environment);
}
