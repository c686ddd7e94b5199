namespace Stratus.Functions;

/// <summary>
/// Functions of different accounts may share a name, so the registry (and everything keyed by function:
/// pools, logs, queued events, configurations) names a function <c>account/name</c>. The root account's
/// functions keep their bare names, so data directories from before accounts existed keep working.
/// Lambda's names never contain '/', so the two forms cannot collide.
/// </summary>
public static class FunctionNames
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
