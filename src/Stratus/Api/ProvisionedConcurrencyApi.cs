using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Storage;

namespace Stratus.Api;

/// <summary>
/// Lambda's provisioned concurrency on a published version or an alias: Put, Get, Delete and List
/// ProvisionedConcurrencyConfig(s). An alias's instances are those of the version it names, and move
/// with it.
/// </summary>
internal static class ProvisionedConcurrencyApi
{
    private const string Path = "/2019-09-30/functions/{fn}/provisioned-concurrency";

    public static void MapProvisionedConcurrencyApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut(Path, PutAsync);
        endpoints.MapGet(Path, Get);
        endpoints.MapDelete(Path, DeleteAsync);
    }

    private static async Task<IResult> PutAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, ConcurrencyLimits limits, IFunctionStore store, ExecutionEngine engine, TimeProvider time)
    {
        var (name, qualifier) = Target(context, fn, registry, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.PutProvisionedConcurrencyRequest);
        var (count, ready) = await ConcurrencyApi.ProvisionAsync(name, FunctionRegistry.QualifiedKey(name, qualifier), request, limits, store, engine);
        return Results.Json(ConcurrencyApi.Provisioned(count, ready, time), ApiJson.Default.ProvisionedConcurrencyOutput, statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult Get(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, ExecutionEngine engine, TimeProvider time)
    {
        if (context.Request.Query["List"].ToString() == "ALL")
        {
            var reference = FunctionArn.Parse(fn);
            var function = mapper.Scoped(context, reference);
            registry.Get(function, mapper.Arn(function));
            var configs = engine.ProvisionedConfigurations(function)
                .Where(c => c.Qualifier is not null)
                .Select(c =>
                {
                    var ready = engine.ProvisionedReady(c.Configuration);
                    var shown = ConcurrencyApi.Provisioned(c.Count, ready, time);
                    return new ProvisionedConcurrencyConfigItem(mapper.Arn(function, c.Qualifier), shown.RequestedProvisionedConcurrentExecutions,
                        shown.AvailableProvisionedConcurrentExecutions, shown.AllocatedProvisionedConcurrentExecutions, shown.Status, shown.LastModified);
                })
                .ToList();
            return Results.Json(new ListProvisionedConcurrencyConfigsResponse(configs, null), ApiJson.Default.ListProvisionedConcurrencyConfigsResponse);
        }

        var (name, qualifier) = Target(context, fn, registry, mapper);
        var configuration = FunctionRegistry.QualifiedKey(name, qualifier);
        var count = engine.ProvisionedFor(configuration);
        return count == 0
            ? throw ConcurrencyApi.NoProvisionedConfig()
            : Results.Json(ConcurrencyApi.Provisioned(count, engine.ProvisionedReady(configuration), time), ApiJson.Default.ProvisionedConcurrencyOutput);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, IFunctionStore store, ExecutionEngine engine)
    {
        var (name, qualifier) = Target(context, fn, registry, mapper);
        var configuration = FunctionRegistry.QualifiedKey(name, qualifier);
        if (engine.ProvisionedFor(configuration) == 0)
        {
            throw ConcurrencyApi.NoProvisionedConfig();
        }

        await ConcurrencyApi.UnprovisionAsync(configuration, store, engine);
        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    /// <summary>The function and the version or alias a request names: a qualifier is required, and $LATEST has none.</summary>
    private static (string Name, string Qualifier) Target(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var reference = FunctionArn.Parse(fn);
        var qualifier = ControlApi.Qualifier(context, reference);
        var name = mapper.Scoped(context, reference);
        registry.Get(name, mapper.Arn(name));
        if (string.IsNullOrEmpty(qualifier))
        {
            throw LambdaException.InvalidParameter("1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null");
        }

        if (qualifier == "$LATEST")
        {
            throw LambdaException.InvalidParameter("Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
        }

        return registry.HasQualifier(name, qualifier)
            ? (name, qualifier)
            : throw LambdaException.NotFound($"Function not found: {mapper.Arn(name, qualifier)}");
    }
}
