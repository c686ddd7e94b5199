using Stratus.Functions;

namespace Stratus.Storage;

/// <summary>Durable home of published versions and aliases, by function registry name.</summary>
public interface IReleaseStore
{
    /// <summary>Every published version, with the last version number each function has used.</summary>
    (IReadOnlyList<FunctionDefinition> Versions, IReadOnlyDictionary<string, int> LastNumbers) LoadVersions();

    IReadOnlyList<(string Function, FunctionAlias Alias)> LoadAliases();

    /// <summary>Stores a new version and makes its number the function's last.</summary>
    void InsertVersion(FunctionDefinition version, int number);

    void DeleteVersion(string function, int number);

    void SaveAlias(string function, FunctionAlias alias);

    void DeleteAlias(string function, string alias);

    /// <summary>Forgets the versions, aliases and numbering of a deleted function.</summary>
    void DeleteAll(string function);
}
