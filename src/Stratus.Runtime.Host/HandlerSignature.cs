using System.Reflection;

namespace Stratus.Runtime.Host;

/// <summary>
/// What a handler method takes and gives. Supported: (), (input), (context), (input, context);
/// input a <see cref="Stream"/> or any serialisable type; returning void, a value, a <see cref="Stream"/>,
/// <see cref="Task"/>, <see cref="Task{T}"/>, <see cref="ValueTask"/> or <see cref="ValueTask{T}"/>.
/// </summary>
internal sealed class HandlerSignature
{
    /// <summary>The input's type, or null when the handler takes no input.</summary>
    public Type? Input { get; private init; }

    /// <summary>Where the context goes among the parameters (-1: nowhere).</summary>
    public int ContextIndex { get; private init; } = -1;

    public int ParameterCount { get; private init; }

    public ResultKind Kind { get; private init; }

    /// <summary>The result's type once awaited, or null when there is none.</summary>
    public Type? Result { get; private init; }

    public bool NeedsSerializer => (Input is not null && Input != typeof(Stream)) || (Result is not null && !typeof(Stream).IsAssignableFrom(Result));

    public static HandlerSignature Of(MethodInfo method)
    {
        var parameters = method.GetParameters();
        int inputIndex = -1, contextIndex = -1;
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            if (type == typeof(ILambdaContext) && contextIndex < 0)
            {
                contextIndex = i;
            }
            else if (inputIndex < 0 && contextIndex < 0 && !type.IsByRef && !type.IsPointer)
            {
                inputIndex = i;
            }
            else
            {
                throw new HandlerLoadException($"Handler '{method.Name}' must take (), (input), (context) or (input, ILambdaContext); it takes ({string.Join(", ", parameters.Select(p => p.ParameterType.Name))})");
            }
        }

        var (kind, result) = Classify(method.ReturnType);
        return new HandlerSignature
        {
            Input = inputIndex < 0 ? null : parameters[inputIndex].ParameterType,
            ContextIndex = contextIndex,
            ParameterCount = parameters.Length,
            Kind = kind,
            Result = result,
        };
    }

    private static (ResultKind, Type?) Classify(Type type)
    {
        if (type == typeof(void))
        {
            return (ResultKind.None, null);
        }

        if (type == typeof(Task))
        {
            return (ResultKind.Task, null);
        }

        if (type == typeof(ValueTask))
        {
            return (ResultKind.ValueTask, null);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return (ResultKind.TaskOfT, type.GetGenericArguments()[0]);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            return (ResultKind.ValueTaskOfT, type.GetGenericArguments()[0]);
        }

        return (ResultKind.Value, type);
    }

    internal enum ResultKind
    {
        None,
        Value,
        Task,
        TaskOfT,
        ValueTask,
        ValueTaskOfT,
    }
}
