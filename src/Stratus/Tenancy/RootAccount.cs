using Microsoft.Extensions.Logging;
using Stratus.Hosting;

namespace Stratus.Tenancy;

/// <summary>
/// First start: with no account yet, the root (admin) account and its key are made, shown once on the
/// console and written to <c>&lt;data&gt;/credentials</c> (0600) as profile [stratus] for the AWS CLI and SDKs.
/// </summary>
internal static partial class RootAccount
{
    public const string Name = "root";
    public const string CredentialsFileName = "credentials";
    public const string Profile = "stratus";

    public static void Ensure(AccountDirectory directory, StratusOptions options, TextWriter console, ILogger logger)
    {
        if (directory.ListAccounts().Count > 0)
        {
            if (options.RootAccessKeyId is { } given && !directory.TryGetSecret(given, out _, out _))
            {
                Log.RootKeyIgnored(logger, given);
            }

            return;
        }

        var account = directory.CreateAccount(Name, AccountQuotas.None, root: true, id: options.AccountId);
        var key = directory.CreateKey(account.Id, options.RootAccessKeyId, options.RootSecretAccessKey);
        var path = Path.Combine(options.DataDirectory, CredentialsFileName);
        WriteCredentials(path, key);
        Log.RootCreated(logger, account.Id, key.Key.Id, path);

        // The console, never the log: log lines are kept and shipped, the secret must not be.
        var secret = options.RootSecretAccessKey is null ? key.Secret : "(as set in STRATUS_ROOT_SECRET_ACCESS_KEY)";
        console.WriteLine($"""
            Stratus root account {account.Id} created. Its access key is shown this once:
              aws_access_key_id     = {key.Key.Id}
              aws_secret_access_key = {secret}
            Saved as profile [{Profile}] in {path} (0600): AWS_SHARED_CREDENTIALS_FILE={path} AWS_PROFILE={Profile}
            """);
    }

    private static void WriteCredentials(string path, NewAccessKey key)
    {
        // A file left from an earlier data directory is replaced, so it is created anew with 0600.
        File.Delete(path);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var file = new StreamWriter(path, options);
        file.Write($"[{Profile}]\naws_access_key_id = {key.Key.Id}\naws_secret_access_key = {key.Secret}\n");
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Warning, "Root account {AccountId} created with access key {AccessKeyId}; credentials written to {Path}")]
        public static partial void RootCreated(ILogger logger, string accountId, string accessKeyId, string path);

        [LoggerMessage(11, LogLevel.Warning, "STRATUS_ROOT_ACCESS_KEY_ID {AccessKeyId} is ignored: accounts already exist and it is not an active key of one")]
        public static partial void RootKeyIgnored(ILogger logger, string accessKeyId);
    }
}
