using System.Reflection;

namespace Stratus.Runtime.Host;

/// <summary>
/// Turns <c>_HANDLER</c> into a <see cref="LambdaHandler"/>. The reflection is done once, here:
/// per invocation there is one <see cref="MethodInvoker"/> call (no argument arrays) and, for a
/// typed input or result, one serializer call.
/// </summary>
internal static class HandlerFactory
{
    public static LambdaHandler Create(string handler, string taskRoot)
    {
        var name = HandlerString.Parse(handler);
        var assembly = FunctionAssembly.Load(taskRoot, name.Assembly);
        var type = assembly.GetType(name.Type, throwOnError: false)
            ?? throw new HandlerLoadException($"Unable to find type '{name.Type}' in assembly '{name.Assembly}'");
        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(method => method.Name == name.Method).ToArray();
        var method = candidates.Length switch
        {
            0 => throw new HandlerLoadException($"Unable to find public method '{name.Method}' on type '{name.Type}'"),
            1 => candidates[0],
            _ => throw new HandlerLoadException($"Type '{name.Type}' has {candidates.Length} methods named '{name.Method}': a handler must not be overloaded"),
        };
        if (method.IsGenericMethodDefinition)
        {
            throw new HandlerLoadException($"Handler method '{name.Method}' must not be generic");
        }

        // An instance handler's object is made once, at init, as Lambda does: its constructor is init code.
        var target = method.IsStatic ? null : Activator.CreateInstance(type);
        var signature = HandlerSignature.Of(method);
        var serializer = signature.NeedsSerializer ? CreateSerializer(method, assembly) : null;
        return new ReflectedHandler(method, target, signature, serializer).InvokeAsync;
    }

    private static ILambdaSerializer CreateSerializer(MethodInfo method, Assembly assembly)
    {
        var attribute = method.GetCustomAttribute<LambdaSerializerAttribute>() ?? assembly.GetCustomAttribute<LambdaSerializerAttribute>();
        if (attribute is null)
        {
            return new DefaultLambdaJsonSerializer();
        }

        return Activator.CreateInstance(attribute.SerializerType) as ILambdaSerializer
            ?? throw new HandlerLoadException($"Serializer '{attribute.SerializerType.FullName}' does not implement Stratus.Runtime.ILambdaSerializer");
    }
}
