using System.Collections.Concurrent;
using System.Security.Cryptography;
using Stratus.Functions;
using Stratus.Storage;

namespace Stratus.Events.Urls;

/// <summary>
/// The function URLs of this server: stored durably, served from memory by url id (the hot path)
/// and by function. A function's URLs go when the function goes.
/// </summary>
public sealed class FunctionUrls
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const int IdLength = 32;
    private readonly IFunctionUrlStore _store;
    private readonly FunctionRegistry _functions;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, FunctionUrlConfig> _byId = new(StringComparer.Ordinal);
    private readonly Lock _writeLock = new();

    internal FunctionUrls(IFunctionUrlStore store, FunctionRegistry functions, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _functions = functions;
        _time = time;
        _functions.Changed += RemoveIfFunctionGone;
        foreach (var config in store.LoadAll())
        {
            // A crash between deleting a function and deleting its URLs leaves URLs of no function.
            if (functions.TryGet(config.FunctionName, out _))
            {
                _byId[config.UrlId] = config;
            }
            else
            {
                store.Delete(config.UrlId);
            }
        }
    }

    /// <summary>Whether <paramref name="urlId"/> has the shape of a url id (so a host or path names one).</summary>
    public static bool IsUrlId(ReadOnlySpan<char> urlId) =>
        urlId.Length == IdLength && !urlId.ContainsAnyExcept(IdCharacters);

    private static readonly System.Buffers.SearchValues<char> IdCharacters = System.Buffers.SearchValues.Create(IdAlphabet);

    public bool TryGet(string urlId, out FunctionUrlConfig config) => _byId.TryGetValue(urlId, out config!);

    public FunctionUrlConfig? Find(string functionName, string? qualifier) =>
        _byId.Values.FirstOrDefault(c => c.FunctionName == functionName && c.Qualifier == qualifier);

    public IReadOnlyList<FunctionUrlConfig> ForFunction(string functionName) =>
        [.. _byId.Values.Where(c => c.FunctionName == functionName).OrderBy(c => c.Qualifier ?? "", StringComparer.Ordinal)];

    /// <summary>Creates the function's URL; null when it already has one.</summary>
    public FunctionUrlConfig? TryCreate(string functionName, string? qualifier, string authType, FunctionUrlCors? cors, string invokeMode)
    {
        var now = _time.GetUtcNow();
        var config = new FunctionUrlConfig(RandomNumberGenerator.GetString(IdAlphabet, IdLength), functionName, qualifier, authType, cors, invokeMode, now, now);
        lock (_writeLock)
        {
            if (Find(functionName, qualifier) is not null || !_store.TryInsert(config))
            {
                return null;
            }

            _byId[config.UrlId] = config;
        }

        return config;
    }

    /// <summary>Applies <paramref name="change"/> to the function's URL; null when it has none.</summary>
    public FunctionUrlConfig? TryUpdate(string functionName, string? qualifier, Func<FunctionUrlConfig, FunctionUrlConfig> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_writeLock)
        {
            if (Find(functionName, qualifier) is not { } current)
            {
                return null;
            }

            var updated = change(current) with { UrlId = current.UrlId, CreationTime = current.CreationTime, LastModifiedTime = _time.GetUtcNow() };
            _store.Update(updated);
            _byId[updated.UrlId] = updated;
            return updated;
        }
    }

    /// <summary>Deletes the function's URL; false when it has none. Its url id is never given out again.</summary>
    public bool TryDelete(string functionName, string? qualifier)
    {
        lock (_writeLock)
        {
            if (Find(functionName, qualifier) is not { } current)
            {
                return false;
            }

            _store.Delete(current.UrlId);
            _byId.TryRemove(current.UrlId, out _);
            return true;
        }
    }

    private void RemoveIfFunctionGone(string functionName)
    {
        if (_functions.TryGet(functionName, out _))
        {
            return;
        }

        lock (_writeLock)
        {
            foreach (var config in _byId.Values.Where(c => c.FunctionName == functionName))
            {
                _store.Delete(config.UrlId);
                _byId.TryRemove(config.UrlId, out _);
            }
        }
    }
}
