namespace Stratus.Runtime;

/// <summary>
/// Names the <see cref="ILambdaSerializer"/> the dotnet runtimes use for a handler's input and result:
/// on the assembly, for all its handlers, or on one handler method. Without it,
/// <see cref="DefaultLambdaJsonSerializer"/> is used.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Method)]
public sealed class LambdaSerializerAttribute(Type serializerType) : Attribute
{
    public Type SerializerType { get; } = serializerType;
}
