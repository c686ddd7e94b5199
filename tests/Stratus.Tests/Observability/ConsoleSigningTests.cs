using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Stratus.Tenancy.SigV4;
using Stratus.Tests.Infrastructure;
using Stratus.Tests.Tenancy;

namespace Stratus.Tests.Observability;

/// <summary>
/// The console's SigV4 module (console/sigv4.js), run under node's WebCrypto, signs requests that the
/// server's own verifier accepts: header-signed calls, an ARN in the path, awkward query strings, SQS,
/// and the presigned URL the console's live logs use; wrong secrets and tampering are refused.
/// </summary>
public sealed class ConsoleSigningTests
{
    [Fact]
    public async Task ConsoleSigner_RequestsCheckedByServerVerifier_ValidUnlessTampered()
    {
        var verdicts = await SignWithConsoleModuleAsync();

        foreach (var name in new[] { "list functions", "invoke", "arn in path", "query with spaces and plus", "sqs", "presigned stream" })
        {
            Assert.True((bool)verdicts[name]["valid"]!, $"{name}: {verdicts[name]}");
            Assert.Equal("000000000000", (string)verdicts[name]["account"]!);
        }

        Assert.Equal(SigV4Errors.InvalidSignature, (string)verdicts["wrong secret"]["error"]!);
        Assert.Equal(SigV4Errors.InvalidSignature, (string)verdicts["tampered body"]["error"]!);
        Assert.Equal(SigV4Errors.InvalidSignature, (string)verdicts["presigned tampered"]["error"]!);
    }

    /// <summary>Runs the node script against an endpoint that answers each request with the verifier's verdict.</summary>
    private static async Task<Dictionary<string, JsonNode>> SignWithConsoleModuleAsync()
    {
        var verifier = new SigV4Verifier(new FixedCredentials("console-test-key", "console-test-secret", "000000000000"), TimeProvider.System, "us-east-1");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.Run(async context =>
        {
            var service = context.Request.Headers.ContainsKey("X-Amz-Target") ? "sqs" : "lambda";
            var request = await SigV4RequestReader.ReadAsync(context, 1 << 20, context.RequestAborted);
            var result = verifier.Verify(request!.Value, service);
            var verdict = new JsonObject { ["valid"] = result.IsValid, ["account"] = result.AccountId, ["error"] = result.ErrorCode, ["message"] = result.Message };
            await context.Response.WriteAsync(verdict.ToJsonString());
        });
        await app.StartAsync();
        try
        {
            var root = AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/tests/", StringComparison.Ordinal)];
            var output = await ExternalTool.RunAsync("node", ["tests/console/sign-requests.mjs"], new Dictionary<string, string> { ["STRATUS_ENDPOINT"] = app.Urls.First() }, root);
            Assert.True(output.ExitCode == 0, output.Stderr);
            return output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonNode.Parse(line)!)
                .ToDictionary(line => (string)line["name"]!, line => line["verdict"]!);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
