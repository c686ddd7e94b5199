namespace Stratus.Runtime;

/// <summary>
/// The Runtime API loop, for a function's own <c>Main</c> (a <c>provided.al2023</c> bootstrap, NativeAOT
/// or not): take an event, run the handler, post its result or its error, repeat.
/// </summary>
public static class LambdaBootstrap
{
    /// <summary>Serves events with a handler that works on raw streams.</summary>
    public static Task RunAsync(Func<Stream, ILambdaContext, Task<Stream?>> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunAsync(async (input, context, output) =>
        {
            var result = await handler(input, context).ConfigureAwait(false);
            if (result is not null)
            {
                await using (result.ConfigureAwait(false))
                {
                    await result.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }
            }
        }, cancellationToken);
    }

    /// <summary>Serves events with a typed handler; <paramref name="serializer"/> reads events and writes results.</summary>
    public static Task RunAsync<TInput, TOutput>(Func<TInput, ILambdaContext, Task<TOutput>> handler, ILambdaSerializer serializer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(serializer);
        return RunAsync(async (input, context, output) =>
        {
            var result = await handler(serializer.Deserialize<TInput>(input), context).ConfigureAwait(false);
            serializer.Serialize(result, output);
        }, cancellationToken);
    }

    /// <summary>Serves events with the most general handler until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static Task RunAsync(LambdaHandler handler, CancellationToken cancellationToken = default) =>
        RunAsync(handler, Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API"), TimeProvider.System, cancellationToken);

    internal static async Task RunAsync(LambdaHandler handler, string? runtimeApi, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (string.IsNullOrEmpty(runtimeApi))
        {
            throw new InvalidOperationException("AWS_LAMBDA_RUNTIME_API is not set: run this program as a function's bootstrap");
        }

        using var client = RuntimeApiClient.Connect(runtimeApi);
        await ServeAsync(client, handler, FunctionSettings.FromEnvironment(), time, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task ServeAsync(RuntimeApiClient client, LambdaHandler handler, FunctionSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        // One output buffer for the life of the instance: it runs one invocation at a time.
        using var output = new MemoryStream();
        while (!cancellationToken.IsCancellationRequested)
        {
            var request = client.Next();
            Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", request.TraceId);
            var context = new LambdaContext(settings, request, time);
            output.SetLength(0);
            try
            {
                using var input = new MemoryStream(request.Body, writable: false);
                await handler(input, context, output).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Any exception of the handler is the invocation's error, reported to the caller.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                ReportError(client, request.RequestId, exception);
                continue;
            }

            var result = output.Length == 0 ? "null"u8 : output.GetBuffer().AsSpan(0, (int)output.Length);
            client.PostResponse(request.RequestId, result);
        }
    }

    /// <summary>Posts an error for the invocation (or for init, when <paramref name="requestId"/> is null) and logs it.</summary>
    internal static void ReportError(RuntimeApiClient client, string? requestId, Exception exception, string? errorType = null)
    {
        exception = ErrorBody.Unwrap(exception);
        errorType ??= exception.GetType().Name;
        Console.Error.WriteLine(exception.ToString());
        client.PostError(requestId, errorType, ErrorBody.Write(errorType, exception));
    }
}
