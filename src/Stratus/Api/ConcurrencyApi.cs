using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Execution;
using Stratus.Functions;
using Stratus.Storage;

namespace Stratus.Api;

/// <summary>Reserved concurrency: PutFunctionConcurrency, GetFunctionConcurrency, DeleteFunctionConcurrency.</summary>
internal static class ConcurrencyApi
{
    public static void MapConcurrencyApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut("/2017-10-31/functions/{fn}/concurrency", PutAsync);
        endpoints.MapGet("/2019-09-30/functions/{fn}/concurrency", Get);
        endpoints.MapDelete("/2017-10-31/functions/{fn}/concurrency", Delete);

        // Lambda sets provisioned concurrency on a version or alias; until Stratus has those, on the function.
        endpoints.MapPut("/stratus/v1/functions/{fn}/provisioned-concurrency", PutProvisionedAsync);
        endpoints.MapGet("/stratus/v1/functions/{fn}/provisioned-concurrency", GetProvisioned);
        endpoints.MapDelete("/stratus/v1/functions/{fn}/provisioned-concurrency", DeleteProvisionedAsync);
    }

    private static async Task<IResult> PutProvisionedAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, ConcurrencyLimits limits, IFunctionStore store, ExecutionEngine engine, TimeProvider time)
    {
        var function = Latest(context, fn, registry, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.PutProvisionedConcurrencyRequest);
        var (count, ready) = await ProvisionAsync(function.Name, function.Name, request, limits, store, engine);
        return Results.Json(Provisioned(count, ready, time), ApiJson.Default.ProvisionedConcurrencyOutput);
    }

    /// <summary>
    /// Sets the provisioned concurrency of <paramref name="configuration"/> (a function of <paramref name="function"/>,
    /// or one of its versions or aliases), stored, then started; returns the count and how many instances are ready.
    /// </summary>
    internal static async Task<(int Count, int Ready)> ProvisionAsync(string function, string configuration, PutProvisionedConcurrencyRequest request,
        ConcurrencyLimits limits, IFunctionStore store, ExecutionEngine engine)
    {
        if (request.ProvisionedConcurrentExecutions is not { } count || count < 1)
        {
            throw LambdaException.InvalidParameter("1 validation error detected: Value at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1");
        }

        // Provisioned instances count against the function's reserved concurrency, or the unreserved rest,
        // with those of the function's other configurations.
        var others = engine.ProvisionedConfigurations(function).Where(c => c.Configuration != configuration).Sum(c => c.Count);
        var room = (limits.ReservedFor(function) ?? limits.Unreserved - limits.MinimumUnreserved) - others;
        if (count > room)
        {
            throw LambdaException.InvalidParameter(limits.ReservedFor(function) is null
                ? $"Requested Provisioned Concurrency should not be greater than the unreservedConcurrentExecution for account less its minimum of [{limits.MinimumUnreserved}] ({room})."
                : $"Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function ({room}).");
        }

        store.SetProvisionedConcurrency(configuration, count);
        return (count, await engine.ProvisionAsync(configuration, count, engine.Options.InitTimeout));
    }

    private static IResult GetProvisioned(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, ExecutionEngine engine, TimeProvider time)
    {
        var function = Latest(context, fn, registry, mapper);
        var count = engine.ProvisionedFor(function.Name);
        if (count == 0)
        {
            throw NoProvisionedConfig();
        }

        return Results.Json(Provisioned(count, engine.ProvisionedReady(function.Name), time), ApiJson.Default.ProvisionedConcurrencyOutput);
    }

    internal static LambdaException NoProvisionedConfig() =>
        new(404, "ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function");

    private static async Task<IResult> DeleteProvisionedAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, IFunctionStore store, ExecutionEngine engine)
    {
        var function = Latest(context, fn, registry, mapper);
        await UnprovisionAsync(function.Name, store, engine);
        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    /// <summary>Removes the provisioned concurrency of <paramref name="configuration"/>, stored, then its instances let go.</summary>
    internal static Task UnprovisionAsync(string configuration, IFunctionStore store, ExecutionEngine engine)
    {
        store.SetProvisionedConcurrency(configuration, null);
        return engine.ProvisionAsync(configuration, 0, TimeSpan.Zero);
    }

    internal static ProvisionedConcurrencyOutput Provisioned(int count, int ready, TimeProvider time) =>
        new(count, ready, ready, ready >= count ? "READY" : "IN_PROGRESS", FunctionMapper.FormatLastModified(time.GetUtcNow()));

    private static async Task<IResult> PutAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, ConcurrencyLimits limits, IFunctionStore store)
    {
        var function = Latest(context, fn, registry, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.PutFunctionConcurrencyRequest);
        if (request.ReservedConcurrentExecutions is not { } reserved)
        {
            throw LambdaException.InvalidParameter("1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null");
        }

        if (reserved < 0)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{reserved}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0");
        }

        var previous = limits.ReservedFor(function.Name);
        if (limits.TryReserve(function.Name, reserved) is { } problem)
        {
            throw LambdaException.InvalidParameter(problem);
        }

        try
        {
            store.SetReservedConcurrency(function.Name, reserved);
        }
        catch
        {
            // Not stored: not in force either.
            limits.TryReserve(function.Name, previous);
            throw;
        }
        return Results.Json(new FunctionConcurrency(reserved), ApiJson.Default.FunctionConcurrency);
    }

    private static IResult Get(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, ConcurrencyLimits limits)
    {
        var function = Latest(context, fn, registry, mapper);
        return Results.Json(new FunctionConcurrency(limits.ReservedFor(function.Name)), ApiJson.Default.FunctionConcurrency);
    }

    private static IResult Delete(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, ConcurrencyLimits limits, IFunctionStore store)
    {
        var function = Latest(context, fn, registry, mapper);
        limits.TryReserve(function.Name, null);
        store.SetReservedConcurrency(function.Name, null);
        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    /// <summary>Concurrency is set on the function itself: a name or unqualified ARN.</summary>
    private static FunctionDefinition Latest(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var reference = FunctionArn.Parse(fn);
        if (reference.Qualifier is not null)
        {
            throw LambdaException.InvalidParameter("This operation does not support a qualified function name or ARN.");
        }

        var name = mapper.Scoped(context, reference);
        return registry.Get(name, mapper.Arn(name));
    }
}
