using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Stratus.Api;
using Stratus.Storage;

namespace Stratus.Functions;

/// <summary>
/// Releases: published versions (immutable snapshots of <c>$LATEST</c>, numbered 1, 2, … and never
/// renumbered) and aliases that name one version, or split invocations between two by weight.
/// </summary>
public sealed partial class FunctionRegistry
{
    /// <summary>The longest alias name, as on Lambda.</summary>
    public const int MaxAliasNameLength = 128;

    /// <summary>Raised after an alias of the function was created, changed or deleted.</summary>
    public event Action<string>? AliasChanged;

    /// <summary>Raised after a published version was deleted (its instances can go).</summary>
    public event Action<FunctionDefinition>? VersionDeleted;

    private readonly IReleaseStore _releases;
    private readonly Random _routing;
    private readonly Lock _routingLock = new();
    private readonly ConcurrentDictionary<string, Releases> _published = new(StringComparer.Ordinal);

    /// <summary>A function's versions and aliases: replaced whole on each change, read without a lock.</summary>
    private sealed record Releases(int LastNumber, ImmutableSortedDictionary<int, FunctionDefinition> Versions, ImmutableSortedDictionary<string, FunctionAlias> Aliases)
    {
        public static readonly Releases None = new(0, ImmutableSortedDictionary<int, FunctionDefinition>.Empty, ImmutableSortedDictionary.Create<string, FunctionAlias>(StringComparer.Ordinal));
    }

    private void LoadReleases()
    {
        var (versions, numbers) = _releases.LoadVersions();
        foreach (var version in versions)
        {
            if (!_functions.TryGetValue(version.Name, out var latest))
            {
                continue;
            }

            var number = int.Parse(version.Version, CultureInfo.InvariantCulture);
            var current = ReleasesOf(version.Name);
            _published[version.Name] = current with
            {
                Versions = current.Versions.SetItem(number, version with { AccountId = latest.AccountId, VersionKey = VersionKeyOf(version.Name, number) }),
            };
        }

        foreach (var (function, last) in numbers)
        {
            if (_functions.ContainsKey(function))
            {
                _published[function] = ReleasesOf(function) with { LastNumber = last };
            }
        }

        foreach (var (function, alias) in _releases.LoadAliases())
        {
            if (_functions.ContainsKey(function))
            {
                var current = ReleasesOf(function);
                _published[function] = current with { Aliases = current.Aliases.SetItem(alias.Name, alias) };
            }
        }
    }

    /// <summary>
    /// The definition an invocation or a read of <paramref name="name"/> with <paramref name="qualifier"/>
    /// gets: <c>$LATEST</c> (or no qualifier), a version number, or an alias. An alias with a routing
    /// configuration picks one of its two versions by weight when <paramref name="route"/> is set (an
    /// invocation), else gives its primary version (a read). False when the function or its qualifier
    /// does not exist.
    /// </summary>
    public bool TryResolve(string name, string? qualifier, bool route, out FunctionDefinition function)
    {
        if (!_functions.TryGetValue(name, out var latest))
        {
            function = null!;
            return false;
        }

        if (qualifier is null or "$LATEST")
        {
            function = latest;
            return true;
        }

        var releases = ReleasesOf(name);
        var found = releases.Aliases.TryGetValue(qualifier, out var alias)
            ? VersionOf(name, releases, route ? Route(alias) : alias.FunctionVersion)
            : VersionOf(name, releases, qualifier);
        function = found!;
        return found is not null;
    }

    /// <summary>Whether <paramref name="qualifier"/> names <c>$LATEST</c>, a version or an alias of the function.</summary>
    public bool HasQualifier(string name, string? qualifier) => TryResolve(name, qualifier, route: false, out _);

    /// <summary>The published versions of a function, oldest first.</summary>
    public IReadOnlyList<FunctionDefinition> Versions(string name) => [.. ReleasesOf(name).Versions.Values];

    /// <summary>The aliases of a function, by name.</summary>
    public IReadOnlyList<FunctionAlias> Aliases(string name) => [.. ReleasesOf(name).Aliases.Values];

    public FunctionAlias GetAlias(string name, string alias, string arn)
    {
        Get(name, arn);
        return ReleasesOf(name).Aliases.TryGetValue(alias, out var found) ? found : throw LambdaException.NotFound($"Alias not found: {arn}");
    }

    /// <summary>
    /// Publishes <c>$LATEST</c> as the next version, or returns the last version when neither code nor
    /// configuration changed since it was published (as Lambda does).
    /// </summary>
    public FunctionDefinition PublishVersion(string name, string arn, string? description, string? codeSha256, string? expectedRevisionId)
    {
        lock (_writeLock)
        {
            var latest = Get(name, arn);
            if (expectedRevisionId is not null && expectedRevisionId != latest.RevisionId)
            {
                throw StaleRevision();
            }

            if (!string.IsNullOrEmpty(codeSha256) && codeSha256 != latest.CodeSha256)
            {
                throw LambdaException.InvalidParameter($"CodeSHA256 ({codeSha256}) is different from current CodeSHA256 in $LATEST ({latest.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.");
            }

            var releases = ReleasesOf(name);
            if (!releases.Versions.IsEmpty && SameRelease(releases.Versions.Values.Last(), latest))
            {
                return releases.Versions.Values.Last();
            }

            var number = releases.LastNumber + 1;
            var version = latest with
            {
                Version = number.ToString(CultureInfo.InvariantCulture),
                VersionKey = VersionKeyOf(name, number),
                Description = description ?? latest.Description,
                RevisionId = Guid.NewGuid().ToString(),
                LastModified = _time.GetUtcNow(),
            };
            _releases.InsertVersion(version, number);
            _published[name] = releases with { LastNumber = number, Versions = releases.Versions.SetItem(number, version) };
            return version;
        }
    }

    /// <summary>Deletes one published version; refused while an alias sends invocations to it.</summary>
    public void DeleteVersion(string name, string version, string arn)
    {
        FunctionDefinition removed;
        lock (_writeLock)
        {
            Get(name, arn);
            var releases = ReleasesOf(name);
            if (!TryParseVersion(version, out var number) || !releases.Versions.TryGetValue(number, out removed!))
            {
                throw LambdaException.NotFound($"Function not found: {arn}");
            }

            var users = releases.Aliases.Values.Where(a => a.FunctionVersion == version || a.AdditionalVersionWeights.ContainsKey(version)).Select(a => a.Name).ToList();
            if (users.Count > 0)
            {
                throw LambdaException.Conflict($"Unable to delete version because the following aliases reference it: [{string.Join(", ", users)}]");
            }

            _releases.DeleteVersion(name, number);
            _published[name] = releases with { Versions = releases.Versions.Remove(number) };
        }

        VersionDeleted?.Invoke(removed);
        DeleteCodeIfUnused(removed.CodeSha256);
    }

    public FunctionAlias CreateAlias(string name, string arn, FunctionAlias alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        lock (_writeLock)
        {
            Get(name, arn);
            var releases = ReleasesOf(name);
            ValidateAlias(name, releases, alias, arn);
            if (releases.Aliases.ContainsKey(alias.Name))
            {
                throw LambdaException.Conflict($"Alias already exists: {arn}");
            }

            var created = alias with { RevisionId = Guid.NewGuid().ToString() };
            _releases.SaveAlias(name, created);
            _published[name] = releases with { Aliases = releases.Aliases.SetItem(created.Name, created) };
        }

        AliasChanged?.Invoke(name);
        return GetAlias(name, alias.Name, arn);
    }

    public FunctionAlias UpdateAlias(string name, string aliasName, string arn, string? expectedRevisionId, Func<FunctionAlias, FunctionAlias> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        FunctionAlias updated;
        lock (_writeLock)
        {
            var current = GetAlias(name, aliasName, arn);
            if (expectedRevisionId is not null && expectedRevisionId != current.RevisionId)
            {
                throw StaleRevision();
            }

            var releases = ReleasesOf(name);
            updated = change(current) with { Name = current.Name, RevisionId = Guid.NewGuid().ToString() };
            ValidateAlias(name, releases, updated, arn);
            _releases.SaveAlias(name, updated);
            _published[name] = releases with { Aliases = releases.Aliases.SetItem(updated.Name, updated) };
        }

        AliasChanged?.Invoke(name);
        return updated;
    }

    public void DeleteAlias(string name, string aliasName, string arn, string? expectedRevisionId)
    {
        lock (_writeLock)
        {
            var current = GetAlias(name, aliasName, arn);
            if (expectedRevisionId is not null && expectedRevisionId != current.RevisionId)
            {
                throw StaleRevision();
            }

            _releases.DeleteAlias(name, aliasName);
            var releases = ReleasesOf(name);
            _published[name] = releases with { Aliases = releases.Aliases.Remove(aliasName) };
        }

        AliasChanged?.Invoke(name);
    }

    /// <summary>Whether <paramref name="text"/> is a version number as Lambda writes them (1, 2, …).</summary>
    public static bool TryParseVersion(string text, out int number)
    {
        number = 0;
        return text.Length is > 0 and <= 10 && text[0] != '0' && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private Releases ReleasesOf(string name) => _published.TryGetValue(name, out var releases) ? releases : Releases.None;

    private FunctionDefinition? VersionOf(string name, Releases releases, string version) =>
        version == "$LATEST" ? (_functions.TryGetValue(name, out var latest) ? latest : null)
        : TryParseVersion(version, out var number) && releases.Versions.TryGetValue(number, out var found) ? found : null;

    private static string VersionKeyOf(string name, int number) => QualifiedKey(name, number.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// <c>name:qualifier</c>: how a version's pool of instances and a provisioned concurrency
    /// configuration of a version or alias are keyed (registry names hold no ':').
    /// </summary>
    public static string QualifiedKey(string name, string qualifier) => name + ":" + qualifier;

    /// <summary>The function and the qualifier (null for none) of a key made by <see cref="QualifiedKey"/> or a bare registry name.</summary>
    public static (string Name, string? Qualifier) SplitQualifiedKey(string key)
    {
        var colon = key.LastIndexOf(':');
        return colon < 0 ? (key, null) : (key[..colon], key[(colon + 1)..]);
    }

    /// <summary>The version one invocation of <paramref name="alias"/> runs: the additional one with its weight's probability.</summary>
    private string Route(FunctionAlias alias)
    {
        if (alias.AdditionalVersionWeights.Count == 0)
        {
            return alias.FunctionVersion;
        }

        var (additional, weight) = alias.AdditionalVersionWeights.First();
        double draw;
        lock (_routingLock)
        {
            draw = _routing.NextDouble();
        }

        return draw < weight ? additional : alias.FunctionVersion;
    }

    private static void ValidateAlias(string name, Releases releases, FunctionAlias alias, string arn)
    {
        if (alias.Name.Length is 0 or > MaxAliasNameLength || !alias.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || alias.Name.All(char.IsAsciiDigit))
        {
            throw new LambdaException(400, "ValidationException",
                $"1 validation error detected: Value '{Bounded(alias.Name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
        }

        if (alias.Description.Length > 256)
        {
            throw LambdaException.InvalidParameter("The alias description must be at most 256 characters.");
        }

        if (alias.FunctionVersion != "$LATEST" && (!TryParseVersion(alias.FunctionVersion, out var primary) || !releases.Versions.ContainsKey(primary)))
        {
            throw LambdaException.NotFound($"Function not found: {FunctionArnOf(arn, alias.FunctionVersion)}");
        }

        if (alias.AdditionalVersionWeights.Count == 0)
        {
            return;
        }

        if (alias.AdditionalVersionWeights.Count > 1)
        {
            throw LambdaException.InvalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1");
        }

        var (additional, weight) = alias.AdditionalVersionWeights.First();
        if (alias.FunctionVersion == "$LATEST" || additional == "$LATEST")
        {
            throw LambdaException.InvalidParameter("$LATEST is not supported for an alias pointing to more than 1 version");
        }

        if (!TryParseVersion(additional, out var number) || !releases.Versions.ContainsKey(number))
        {
            throw LambdaException.NotFound($"Function not found: {FunctionArnOf(arn, additional)}");
        }

        if (additional == alias.FunctionVersion)
        {
            throw LambdaException.InvalidParameter($"Invalid function version {additional}. Function version {additional} is already included in routing configuration.");
        }

        if (double.IsNaN(weight) || weight is < 0 or > 1)
        {
            throw new LambdaException(400, "ValidationException",
                $"1 validation error detected: Value '{weight.ToString(CultureInfo.InvariantCulture)}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]");
        }
    }

    /// <summary>The function's ARN (without the alias <paramref name="aliasArn"/> ends with) qualified with <paramref name="version"/>.</summary>
    private static string FunctionArnOf(string aliasArn, string version)
    {
        var parts = aliasArn.Split(':');
        return string.Join(':', parts.Take(7)) + ":" + version;
    }

    private static LambdaException StaleRevision() =>
        LambdaException.PreconditionFailed("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");

    private static string Bounded(string text) => text.Length <= 140 ? text : text[..140];

    /// <summary>What decides whether a new version is worth publishing: the code and what runs it.</summary>
    private static bool SameRelease(FunctionDefinition version, FunctionDefinition latest) =>
        version.CodeSha256 == latest.CodeSha256 && version.Runtime == latest.Runtime && version.Handler == latest.Handler
        && version.Role == latest.Role && version.MemorySize == latest.MemorySize && version.Timeout == latest.Timeout
        && version.EphemeralStorageMb == latest.EphemeralStorageMb && version.NetworkAccess == latest.NetworkAccess
        && version.DeadLetterTargetArn == latest.DeadLetterTargetArn
        && version.Environment.Count == latest.Environment.Count
        && version.Environment.All(pair => latest.Environment.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private void DeleteCodeIfUnused(string sha256)
    {
        if (!_functions.Values.Any(f => f.CodeSha256 == sha256) && !_published.Values.Any(r => r.Versions.Values.Any(v => v.CodeSha256 == sha256)))
        {
            _code.DeleteUnreferenced(CodeStore.HexFromBase64(sha256));
        }
    }

    /// <summary>Releases kept in memory only, for registries made without a database.</summary>
    private sealed class MemoryReleaseStore : IReleaseStore
    {
        public (IReadOnlyList<FunctionDefinition> Versions, IReadOnlyDictionary<string, int> LastNumbers) LoadVersions() => ([], new Dictionary<string, int>());

        public IReadOnlyList<(string Function, FunctionAlias Alias)> LoadAliases() => [];

        public void InsertVersion(FunctionDefinition version, int number)
        {
        }

        public void DeleteVersion(string function, int number)
        {
        }

        public void SaveAlias(string function, FunctionAlias alias)
        {
        }

        public void DeleteAlias(string function, string alias)
        {
        }

        public void DeleteAll(string function)
        {
        }
    }
}
