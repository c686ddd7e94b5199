using Stratus.Events.Urls;

namespace Stratus.Storage;

/// <summary>Durable home of function URL configs.</summary>
public interface IFunctionUrlStore
{
    IReadOnlyList<FunctionUrlConfig> LoadAll();

    /// <summary>Inserts a config; false when the function (and qualifier) already has one.</summary>
    bool TryInsert(FunctionUrlConfig config);

    /// <summary>Replaces the config with the same url id.</summary>
    void Update(FunctionUrlConfig config);

    /// <summary>Deletes the config with this url id; false when there was none.</summary>
    bool Delete(string urlId);
}
