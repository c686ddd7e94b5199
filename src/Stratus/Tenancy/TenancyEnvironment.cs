using Stratus.Hosting;

namespace Stratus.Tenancy;

/// <summary>
/// The tenancy settings read from the environment. Secrets come only from there (or a file), never
/// from command-line options, which any user of the machine can read in the process list.
/// </summary>
public static class TenancyEnvironment
{
    public const string RootAccessKeyId = "STRATUS_ROOT_ACCESS_KEY_ID";
    public const string RootSecretAccessKey = "STRATUS_ROOT_SECRET_ACCESS_KEY";

    public static void Apply(StratusOptions options, Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(variable);
        options.MasterKey ??= NullIfEmpty(variable(MasterKey.EnvironmentVariable));
        options.RootAccessKeyId ??= NullIfEmpty(variable(RootAccessKeyId));
        options.RootSecretAccessKey ??= NullIfEmpty(variable(RootSecretAccessKey));
    }

    /// <summary>What is wrong with the tenancy settings, without their values; "" when nothing is.</summary>
    public static string Validate(StratusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MasterKey is { } key && MasterKey.TryParse(key, out var problem) is null)
        {
            return problem;
        }

        if ((options.RootAccessKeyId is null) != (options.RootSecretAccessKey is null))
        {
            return $"{RootAccessKeyId} and {RootSecretAccessKey} must be set together";
        }

        if (options.RootAccessKeyId is not null && !Credentials.IsAccessKeyId(options.RootAccessKeyId))
        {
            return $"{RootAccessKeyId} must be 16 to 128 upper-case letters and digits, e.g. AKIA followed by 16 of them";
        }

        if (options.RootSecretAccessKey is not null && !Credentials.IsSecret(options.RootSecretAccessKey))
        {
            return $"{RootSecretAccessKey} must be {Credentials.SecretLength} characters of A-Z, a-z, 0-9, + and /";
        }

        return "";
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
