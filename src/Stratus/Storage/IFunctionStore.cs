using Stratus.Functions;

namespace Stratus.Storage;

/// <summary>Durable home of function definitions.</summary>
public interface IFunctionStore
{
    IReadOnlyList<FunctionDefinition> LoadAll();

    /// <summary>Inserts a new function; false when the name is taken.</summary>
    bool TryInsert(FunctionDefinition function);

    /// <summary>Replaces a function only if its stored revision is <paramref name="expectedRevisionId"/>.</summary>
    bool TryUpdate(FunctionDefinition function, string expectedRevisionId);

    bool Delete(string name);
}
