using System.Runtime.CompilerServices;
using Stratus.Tenancy.SigV4;

namespace Stratus.Tests.Infrastructure;

/// <summary>
/// The root access key of every server the tests start, and the credentials of every client they run:
/// servers get it through STRATUS_ROOT_* (or options in process), clients through the AWS variables,
/// which the <c>stratus</c> CLI, the AWS CLI and the SDKs all read.
/// </summary>
public static class TestCredentials
{
    public const string AccessKeyId = "AKIASTRATUSTESTROOT1";
    public const string Secret = "StratusTestRootSecretKey0123456789abcdef";
    public const string Region = "us-east-1";

    [ModuleInitializer]
    internal static void ExportToChildren()
    {
        Environment.SetEnvironmentVariable("STRATUS_ROOT_ACCESS_KEY_ID", AccessKeyId);
        Environment.SetEnvironmentVariable("STRATUS_ROOT_SECRET_ACCESS_KEY", Secret);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", Secret);
        Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", Region);
    }

    /// <summary>An HTTP client that signs every request with the given key (the root key by default).</summary>
    public static HttpClient Client(Uri address, string accessKeyId = AccessKeyId, string secret = Secret, TimeSpan? timeout = null) =>
        new(new SigV4SigningHandler(accessKeyId, secret, Region)) { BaseAddress = address, Timeout = timeout ?? TimeSpan.FromMinutes(2) };
}
