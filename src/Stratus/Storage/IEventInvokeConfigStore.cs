using Stratus.Invocation;

namespace Stratus.Storage;

/// <summary>Durable home of the functions' event invoke configurations.</summary>
public interface IEventInvokeConfigStore
{
    IReadOnlyList<EventInvokeConfig> LoadAll();

    /// <summary>Inserts or replaces the configuration of (function, qualifier).</summary>
    void Save(EventInvokeConfig config);

    /// <summary>Removes the configuration of (function, qualifier); every qualifier's when null.</summary>
    bool Delete(string functionName, string? qualifier);
}
