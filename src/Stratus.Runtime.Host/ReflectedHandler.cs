using System.Reflection;
using Kind = Stratus.Runtime.Host.HandlerSignature.ResultKind;

namespace Stratus.Runtime.Host;

/// <summary>Calls a handler method found by reflection, with everything it needs prepared at init.</summary>
internal sealed class ReflectedHandler
{
    private readonly MethodInvoker _method;
    private readonly object? _target;
    private readonly HandlerSignature _signature;
    private readonly ILambdaSerializer? _serializer;
    private readonly MethodInvoker? _deserialize;
    private readonly MethodInvoker? _serialize;
    private readonly MethodInvoker? _taskResult;
    private readonly MethodInvoker? _valueTaskAsTask;

    public ReflectedHandler(MethodInfo method, object? target, HandlerSignature signature, ILambdaSerializer? serializer)
    {
        _method = MethodInvoker.Create(method);
        _target = target;
        _signature = signature;
        _serializer = serializer;
        if (serializer is not null && signature.Input is { } input && input != typeof(Stream))
        {
            _deserialize = MethodInvoker.Create(typeof(ILambdaSerializer).GetMethod(nameof(ILambdaSerializer.Deserialize))!.MakeGenericMethod(input));
        }

        if (serializer is not null && signature.Result is { } result && !typeof(Stream).IsAssignableFrom(result))
        {
            _serialize = MethodInvoker.Create(typeof(ILambdaSerializer).GetMethod(nameof(ILambdaSerializer.Serialize))!.MakeGenericMethod(result));
        }

        if (signature.Kind == Kind.TaskOfT)
        {
            _taskResult = MethodInvoker.Create(method.ReturnType.GetProperty("Result")!.GetMethod!);
        }
        else if (signature.Kind == Kind.ValueTaskOfT)
        {
            _valueTaskAsTask = MethodInvoker.Create(method.ReturnType.GetMethod("AsTask")!);
            _taskResult = MethodInvoker.Create(typeof(Task<>).MakeGenericType(signature.Result!).GetProperty("Result")!.GetMethod!);
        }
    }

    public async ValueTask InvokeAsync(Stream input, ILambdaContext context, Stream output)
    {
        var argument = _signature.Input is null ? null : _deserialize is null ? input : _deserialize.Invoke(_serializer, input);
        var returned = _signature.ParameterCount switch
        {
            0 => _method.Invoke(_target),
            1 => _method.Invoke(_target, _signature.ContextIndex == 0 ? context : argument),
            _ => _method.Invoke(_target, argument, context),
        };

        object? result;
        switch (_signature.Kind)
        {
            case Kind.None:
                return;
            case Kind.Task:
                await ((Task)returned!).ConfigureAwait(false);
                return;
            case Kind.ValueTask:
                await ((ValueTask)returned!).ConfigureAwait(false);
                return;
            case Kind.TaskOfT:
                await ((Task)returned!).ConfigureAwait(false);
                result = _taskResult!.Invoke(returned);
                break;
            case Kind.ValueTaskOfT:
                var task = (Task)_valueTaskAsTask!.Invoke(returned)!;
                await task.ConfigureAwait(false);
                result = _taskResult!.Invoke(task);
                break;
            default:
                result = returned;
                break;
        }

        if (_serialize is not null)
        {
            _serialize.Invoke(_serializer, result, output);
        }
        else if (result is Stream stream)
        {
            await using (stream.ConfigureAwait(false))
            {
                await stream.CopyToAsync(output).ConfigureAwait(false);
            }
        }
    }
}
