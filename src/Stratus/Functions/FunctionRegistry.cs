using System.Collections.Concurrent;
using Stratus.Api;
using Stratus.Storage;

namespace Stratus.Functions;

/// <summary>
/// The functions of this server: stored durably, served from memory. Writes go to the store first,
/// so what a client was told succeeded survives a crash.
/// </summary>
public sealed partial class FunctionRegistry
{
    private readonly IFunctionStore _store;
    private readonly CodeStore _code;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, FunctionDefinition> _functions = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();
    private readonly string _rootAccountId;

    internal FunctionRegistry(IFunctionStore store, CodeStore code, TimeProvider time, string rootAccountId = Hosting.StratusOptions.DefaultAccountId,
        IReleaseStore? releases = null, Random? routing = null)
    {
        _rootAccountId = rootAccountId;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _code = code;
        _time = time;
        foreach (var function in store.LoadAll())
        {
            _functions[function.Name] = function with { AccountId = Tenancy.ScopedNames.Owner(function.Name, rootAccountId) };
        }

        _releases = releases ?? new MemoryReleaseStore();
        _routing = routing ?? new Random();
        LoadReleases();
    }

    /// <summary>Raised after a function's code or configuration changed or it was deleted.</summary>
    public event Action<string>? Changed;

    internal CodeStore Code => _code;

    public bool TryGet(string name, out FunctionDefinition function) => _functions.TryGetValue(name, out function!);

    public FunctionDefinition Get(string name, string arn) =>
        _functions.TryGetValue(name, out var function) ? function : throw LambdaException.NotFound($"Function not found: {arn}");

    /// <summary>The functions of one account, by name.</summary>
    public IEnumerable<FunctionDefinition> OwnedBy(string accountId) => _functions.Values.Where(f => f.AccountId == accountId);

    public (IReadOnlyList<FunctionDefinition> Page, string? NextMarker) List(string accountId, string? marker, int maxItems)
    {
        var ordered = OwnedBy(accountId).OrderBy(f => f.Name, StringComparer.Ordinal);
        var page = (marker is null ? ordered : ordered.Where(f => string.CompareOrdinal(f.Name, marker) > 0)).Take(maxItems + 1).ToList();
        if (page.Count <= maxItems)
        {
            return (page, null);
        }

        page.RemoveAt(maxItems);
        return (page, page[^1].Name);
    }

    public IReadOnlyCollection<FunctionDefinition> All => (IReadOnlyCollection<FunctionDefinition>)_functions.Values;

    public FunctionDefinition Create(FunctionDefinition function, byte[] zip)
    {
        FunctionValidator.Validate(function);
        var code = _code.Store(zip);
        var created = function with
        {
            AccountId = Tenancy.ScopedNames.Owner(function.Name, _rootAccountId),
            CodeSha256 = code.Sha256Base64,
            CodeSize = code.Size,
            RevisionId = Guid.NewGuid().ToString(),
            LastModified = _time.GetUtcNow(),
        };
        lock (_writeLock)
        {
            if (_functions.ContainsKey(function.Name) || !_store.TryInsert(created))
            {
                throw LambdaException.Conflict($"Function already exist: {function.FunctionName}");
            }

            _functions[created.Name] = created;
        }

        return created;
    }

    public FunctionDefinition UpdateCode(string name, string arn, byte[] zip, string? expectedRevisionId)
    {
        var code = _code.Store(zip);
        return Update(name, arn, expectedRevisionId, current => current with { CodeSha256 = code.Sha256Base64, CodeSize = code.Size });
    }

    public FunctionDefinition Update(string name, string arn, string? expectedRevisionId, Func<FunctionDefinition, FunctionDefinition> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        FunctionDefinition updated;
        lock (_writeLock)
        {
            var current = Get(name, arn);
            if (expectedRevisionId is not null && expectedRevisionId != current.RevisionId)
            {
                throw StaleRevision();
            }

            updated = change(current) with { RevisionId = Guid.NewGuid().ToString(), LastModified = _time.GetUtcNow() };
            FunctionValidator.Validate(updated);
            if (!_store.TryUpdate(updated, current.RevisionId))
            {
                throw LambdaException.Conflict($"The operation cannot be performed at this time. An update is in progress for resource: {arn}");
            }

            _functions[name] = updated;
        }

        Changed?.Invoke(name);
        return updated;
    }

    public void Delete(string name, string arn)
    {
        FunctionDefinition removed;
        IEnumerable<FunctionDefinition> versions;
        lock (_writeLock)
        {
            removed = Get(name, arn);
            _store.Delete(name);
            _releases.DeleteAll(name);
            _functions.TryRemove(name, out _);
            versions = _published.TryRemove(name, out var releases) ? releases.Versions.Values : [];
        }

        Changed?.Invoke(name);
        foreach (var sha in versions.Select(v => v.CodeSha256).Append(removed.CodeSha256).Distinct(StringComparer.Ordinal))
        {
            DeleteCodeIfUnused(sha);
        }
    }
}
