using Stratus.Tests.EndToEnd;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Releases;

/// <summary>Node functions that answer a fixed word, made and changed through the AWS CLI.</summary>
internal static class CliFunctions
{
    private const string Role = "arn:aws:iam::123456789012:role/lambda-role";

    public static async Task CreateAsync(AwsCli aws, string work, string name, string answer) =>
        await aws.SucceedsAsync("create-function", "--function-name", name, "--runtime", "nodejs20.x", "--handler", "index.handler",
            "--role", Role, "--zip-file", "fileb://" + await ZipAsync(work, name, answer));

    public static async Task UpdateCodeAsync(AwsCli aws, string work, string name, string answer) =>
        await aws.SucceedsAsync("update-function-code", "--function-name", name, "--zip-file", "fileb://" + await ZipAsync(work, name, answer));

    private static async Task<string> ZipAsync(string work, string name, string answer)
    {
        var zip = Path.Combine(work, name + "-" + answer + ".zip");
        await File.WriteAllBytesAsync(zip, Zips.Create(("index.js", $"exports.handler = async () => '{answer}';")));
        return zip;
    }
}
