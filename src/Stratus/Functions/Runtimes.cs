namespace Stratus.Functions;

/// <summary>The runtime identifiers Stratus accepts and the family each belongs to.</summary>
public static class Runtimes
{
    private static readonly Dictionary<string, RuntimeFamily> Known = new(StringComparer.Ordinal)
    {
        ["nodejs20.x"] = RuntimeFamily.Node,
        ["nodejs22.x"] = RuntimeFamily.Node,
        ["python3.9"] = RuntimeFamily.Python,
        ["python3.10"] = RuntimeFamily.Python,
        ["python3.11"] = RuntimeFamily.Python,
        ["python3.12"] = RuntimeFamily.Python,
        ["python3.13"] = RuntimeFamily.Python,
        ["dotnet8"] = RuntimeFamily.Dotnet,
        ["dotnet10"] = RuntimeFamily.Dotnet,
        ["provided"] = RuntimeFamily.Provided,
        ["provided.al2"] = RuntimeFamily.Provided,
        ["provided.al2023"] = RuntimeFamily.Provided,
    };

    public static IEnumerable<string> All => Known.Keys;

    public static bool TryGetFamily(string runtime, out RuntimeFamily family) => Known.TryGetValue(runtime, out family);
}

public enum RuntimeFamily
{
    Node,
    Python,
    Provided,
    Dotnet,
}
