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
    }

    private static async Task<IResult> PutAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, ConcurrencyLimits limits, IFunctionStore store)
    {
        var function = Latest(fn, registry, mapper);
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

    private static IResult Get(string fn, FunctionRegistry registry, FunctionMapper mapper, ConcurrencyLimits limits)
    {
        var function = Latest(fn, registry, mapper);
        return Results.Json(new FunctionConcurrency(limits.ReservedFor(function.Name)), ApiJson.Default.FunctionConcurrency);
    }

    private static IResult Delete(string fn, FunctionRegistry registry, FunctionMapper mapper, ConcurrencyLimits limits, IFunctionStore store)
    {
        var function = Latest(fn, registry, mapper);
        limits.TryReserve(function.Name, null);
        store.SetReservedConcurrency(function.Name, null);
        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    /// <summary>Concurrency is set on the function itself: a name or unqualified ARN.</summary>
    private static FunctionDefinition Latest(string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var reference = FunctionArn.Parse(fn);
        if (reference.Qualifier is not null)
        {
            throw LambdaException.InvalidParameter("This operation does not support a qualified function name or ARN.");
        }

        return registry.Get(reference.Name, mapper.Arn(reference.Name));
    }
}
