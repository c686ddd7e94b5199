namespace Stratus.Cli;

/// <summary>
/// The access key the client verbs sign with, found as the AWS CLI finds one: AWS_ACCESS_KEY_ID and
/// AWS_SECRET_ACCESS_KEY, else the profile AWS_PROFILE (default "default") of the shared credentials
/// file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials), else the [stratus] profile a first start
/// wrote to <c>.stratus/credentials</c> in the working directory.
/// </summary>
internal sealed record ClientCredentials(string AccessKeyId, string Secret, string Region)
{
    public static ClientCredentials? Resolve(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var region = NonEmpty(variable("AWS_REGION")) ?? NonEmpty(variable("AWS_DEFAULT_REGION")) ?? Hosting.StratusOptions.DefaultRegion;
        if (NonEmpty(variable("AWS_ACCESS_KEY_ID")) is { } id && NonEmpty(variable("AWS_SECRET_ACCESS_KEY")) is { } secret)
        {
            return new ClientCredentials(id, secret, region);
        }

        var file = NonEmpty(variable("AWS_SHARED_CREDENTIALS_FILE"))
            ?? Path.Combine(NonEmpty(variable("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials");
        if (FromFile(file, NonEmpty(variable("AWS_PROFILE")) ?? "default", region) is { } shared)
        {
            return shared;
        }

        return FromFile(Path.Combine(Hosting.StratusOptions.DefaultDataDirectory, Tenancy.RootAccount.CredentialsFileName), Tenancy.RootAccount.Profile, region);
    }

    /// <summary>Reads one profile of an INI credentials file; null when the file or the profile is missing.</summary>
    private static ClientCredentials? FromFile(string path, string profile, string region)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        string? id = null, secret = null;
        var inProfile = false;
        foreach (var raw in File.ReadLines(path).Take(10_000))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                inProfile = line[1..^1].Trim() == profile;
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (!inProfile || equals < 0)
            {
                continue;
            }

            var (key, value) = (line[..equals].Trim(), line[(equals + 1)..].Trim());
            if (key == "aws_access_key_id")
            {
                id = value;
            }
            else if (key == "aws_secret_access_key")
            {
                secret = value;
            }
        }

        return id is { Length: > 0 } && secret is { Length: > 0 } ? new ClientCredentials(id, secret, region) : null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
