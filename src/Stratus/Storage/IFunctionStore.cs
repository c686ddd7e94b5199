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

    /// <summary>Deletes a function and its reserved concurrency.</summary>
    bool Delete(string name);

    /// <summary>Reserved concurrency of every function that has one.</summary>
    IReadOnlyDictionary<string, int> LoadReservedConcurrency();

    /// <summary>Sets a function's reserved concurrency, or removes it with null.</summary>
    void SetReservedConcurrency(string name, int? reserved);

    /// <summary>Provisioned concurrency of every function that has one.</summary>
    IReadOnlyDictionary<string, int> LoadProvisionedConcurrency();

    /// <summary>Sets a function's provisioned concurrency, or removes it with null.</summary>
    void SetProvisionedConcurrency(string name, int? provisioned);
}
