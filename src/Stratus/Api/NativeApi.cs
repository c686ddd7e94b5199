using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Functions;
using Stratus.Observability;

namespace Stratus.Api;

/// <summary>Stratus's own API under <c>/stratus/v1</c>: what Lambda's API has no place for.</summary>
internal static class NativeApi
{
    public static void MapNativeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", () => Results.Text("ok"));
        endpoints.MapGet("/stratus/v1/functions/{name}/code", Code);
        endpoints.MapGet("/stratus/v1/functions/{name}/stats", Stats);
        endpoints.MapPut("/stratus/v1/functions/{name}/network", PutNetworkAsync);
        endpoints.MapGet("/stratus/v1/functions/{name}/network", GetNetwork);
        endpoints.MapGet("/stratus/v1/engine", (Execution.ExecutionEngine engine) => ControlApi.Json(engine.EngineSnapshot(), ApiJson.Default.EngineSnapshot));
    }

    /// <summary>
    /// Turns a function's network access off (instances get a network namespace with nothing but their
    /// own loopback) or on again. A new revision: instances of the old setting are retired.
    /// </summary>
    private static async Task<IResult> PutNetworkAsync(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper, Execution.ExecutionEngine engine)
    {
        var reference = FunctionArn.Parse(name);
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.PutNetworkRequest);
        if (request.NetworkAccess is not { } access)
        {
            throw LambdaException.InvalidParameter("NetworkAccess must be true or false");
        }

        var arn = mapper.Arn(reference.Name);
        var function = registry.Get(reference.Name, arn);
        if (function.NetworkAccess != access)
        {
            function = registry.Update(reference.Name, arn, null, current => current with { NetworkAccess = access });
        }

        return ControlApi.Json(new NetworkOutput(function.Name, function.NetworkAccess, engine.Isolation.NetworkNamespaces), ApiJson.Default.NetworkOutput);
    }

    private static IResult GetNetwork(string name, FunctionRegistry registry, FunctionMapper mapper, Execution.ExecutionEngine engine)
    {
        var reference = FunctionArn.Parse(name);
        var function = registry.Get(reference.Name, mapper.Arn(reference.Name));
        return ControlApi.Json(new NetworkOutput(function.Name, function.NetworkAccess, engine.Isolation.NetworkNamespaces), ApiJson.Default.NetworkOutput);
    }

    private static IResult Stats(string name, FunctionRegistry registry, FunctionMapper mapper, Execution.ExecutionEngine engine)
    {
        var reference = FunctionArn.Parse(name);
        registry.Get(reference.Name, mapper.Arn(reference.Name));
        return ControlApi.Json(engine.Snapshot(reference.Name), ApiJson.Default.FunctionStatsSnapshot);
    }

    private static IResult Code(string name, FunctionRegistry registry, FunctionMapper mapper)
    {
        var reference = FunctionArn.Parse(name);
        var function = registry.Get(reference.Name, mapper.Arn(reference.Name));
        var path = registry.Code.ZipPath(CodeStore.HexFromBase64(function.CodeSha256));
        return Results.File(path, "application/zip", function.Name + ".zip");
    }
}
