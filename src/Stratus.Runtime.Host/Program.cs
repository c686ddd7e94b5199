using Stratus.Runtime;
using Stratus.Runtime.Host;

// Connect first, so that an init error (no such assembly, a constructor that throws) reaches the caller.
var api = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
if (string.IsNullOrEmpty(api))
{
    Console.Error.WriteLine("AWS_LAMBDA_RUNTIME_API is not set: this program is the bootstrap of Stratus's dotnet runtimes");
    return 2;
}

using var client = RuntimeApiClient.Connect(api);
LambdaHandler handler;
try
{
    handler = HandlerFactory.Create(
        Environment.GetEnvironmentVariable("_HANDLER") ?? "",
        Environment.GetEnvironmentVariable("LAMBDA_TASK_ROOT") ?? Directory.GetCurrentDirectory());
}
#pragma warning disable CA1031 // Whatever stops the handler from loading is the init error the caller sees.
catch (Exception exception)
#pragma warning restore CA1031
{
    LambdaBootstrap.ReportError(client, null, exception, exception is HandlerLoadException ? "Runtime.InvalidEntrypoint" : null);
    return 1;
}

await LambdaBootstrap.ServeAsync(client, handler, FunctionSettings.FromEnvironment(), TimeProvider.System, CancellationToken.None);
return 0;
