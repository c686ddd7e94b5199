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
        endpoints.MapGet(CodeLinks.Prefix + "{sha}", LinkedCode);
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
        var function = Find(context, name, registry, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.PutNetworkRequest);
        if (request.NetworkAccess is not { } access)
        {
            throw LambdaException.InvalidParameter("NetworkAccess must be true or false");
        }

        if (function.NetworkAccess != access)
        {
            function = registry.Update(function.Name, mapper.Arn(function.Name), null, current => current with { NetworkAccess = access });
        }

        return ControlApi.Json(new NetworkOutput(function.FunctionName, function.NetworkAccess, engine.Isolation.NetworkNamespaces), ApiJson.Default.NetworkOutput);
    }

    private static IResult GetNetwork(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper, Execution.ExecutionEngine engine)
    {
        var function = Find(context, name, registry, mapper);
        return ControlApi.Json(new NetworkOutput(function.FunctionName, function.NetworkAccess, engine.Isolation.NetworkNamespaces), ApiJson.Default.NetworkOutput);
    }

    private static IResult Stats(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper, Execution.ExecutionEngine engine)
    {
        var function = Find(context, name, registry, mapper);
        return ControlApi.Json(engine.Snapshot(function.Name), ApiJson.Default.FunctionStatsSnapshot);
    }

    private static IResult Code(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper)
    {
        var function = Find(context, name, registry, mapper);
        var path = registry.Code.ZipPath(CodeStore.HexFromBase64(function.CodeSha256));
        return Results.File(path, "application/zip", function.FunctionName + ".zip");
    }

    /// <summary>A GetFunction Code.Location link: no signature, but the link's own, unexpired.</summary>
    private static IResult LinkedCode(HttpContext context, string sha, FunctionRegistry registry, CodeLinks links)
    {
        var query = context.Request.Query;
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower) || !links.IsValid(sha, query["Expires"].ToString(), query["Signature"].ToString()))
        {
            throw new LambdaException(StatusCodes.Status403Forbidden, "AccessDeniedException", "The code link is invalid or has expired; call GetFunction for a new one.");
        }

        return Results.File(registry.Code.ZipPath(sha), "application/zip", sha + ".zip");
    }

    private static FunctionDefinition Find(HttpContext context, string name, FunctionRegistry registry, FunctionMapper mapper)
    {
        var key = mapper.Scoped(context, FunctionArn.Parse(name));
        return registry.Get(key, mapper.Arn(key));
    }
}
