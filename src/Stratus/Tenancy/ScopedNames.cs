namespace Stratus.Tenancy;

/// <summary>
/// Functions and queues of different accounts may share a name, so the registries (and everything keyed
/// by them: pools, logs, queued events, messages, configurations) name a resource <c>account/name</c>.
/// The root account's resources keep their bare names, so data directories from before accounts existed
/// keep working. Lambda's and SQS's names never contain '/', so the two forms cannot collide.
/// </summary>
public static class ScopedNames
{
    public const char Separator = '/';

    /// <summary>The registry name of <paramref name="name"/> in <paramref name="accountId"/>.</summary>
    public static string Key(string accountId, string name, string rootAccountId) =>
        accountId == rootAccountId ? name : string.Concat(accountId, "/", name);

    /// <summary>The name clients use: the registry name without its account.</summary>
    public static string Display(string key)
    {
        var separator = key.IndexOf(Separator);
        return separator < 0 ? key : key[(separator + 1)..];
    }

    /// <summary>The owning account of a registry name.</summary>
    public static string Owner(string key, string rootAccountId)
    {
        var separator = key.IndexOf(Separator);
        return separator < 0 ? rootAccountId : key[..separator];
    }
}
