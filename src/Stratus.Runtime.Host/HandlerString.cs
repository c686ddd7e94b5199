namespace Stratus.Runtime.Host;

/// <summary>A handler as Lambda's .NET runtimes name it: <c>Assembly::Namespace.Type::Method</c>.</summary>
internal sealed record HandlerString(string Assembly, string Type, string Method)
{
    public static HandlerString Parse(string handler)
    {
        var parts = handler.Split("::");
        if (parts.Length != 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new HandlerLoadException($"Handler '{handler}' is not in the form Assembly::Namespace.Type::Method");
        }

        return new HandlerString(parts[0], parts[1], parts[2]);
    }
}
