using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Functions;
using Stratus.Invocation;

namespace Stratus.Api;

/// <summary>
/// Lambda's event invoke config API (<c>/2019-09-25/functions/{fn}/event-invoke-config</c>): retries,
/// maximum event age and destinations of a function's asynchronous invocations. Put replaces, Update
/// (POST) merges into what is there.
/// </summary>
internal static class EventInvokeConfigApi
{
    private const string Path = "/2019-09-25/functions/{fn}/event-invoke-config";

    public static void MapEventInvokeConfigApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut(Path, (HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, EventInvokeConfigs configs, TimeProvider time) =>
            SaveAsync(context, fn, registry, mapper, configs, time, merge: false));
        endpoints.MapPost(Path, (HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, EventInvokeConfigs configs, TimeProvider time) =>
            SaveAsync(context, fn, registry, mapper, configs, time, merge: true));
        endpoints.MapGet(Path, Get);
        endpoints.MapDelete(Path, Delete);
        endpoints.MapGet(Path + "/list", List);
    }

    private static async Task<IResult> SaveAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, EventInvokeConfigs configs, TimeProvider time, bool merge)
    {
        var function = ControlApi.Resolve(context, fn, registry, mapper, out var qualifier);
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.EventInvokeConfigRequest);
        var key = qualifier ?? "$LATEST";
        var current = merge ? configs.Find(function.Name, key) : null;
        var saved = configs.Save(new EventInvokeConfig(
            function.Name,
            key,
            request.MaximumRetryAttempts ?? current?.MaximumRetryAttempts,
            request.MaximumEventAgeInSeconds ?? current?.MaximumEventAgeInSeconds,
            Destination(request.DestinationConfig?.OnSuccess, current?.OnSuccess, request.DestinationConfig is null),
            Destination(request.DestinationConfig?.OnFailure, current?.OnFailure, request.DestinationConfig is null),
            time.GetUtcNow()));
        return ControlApi.Json(Output(saved, mapper), ApiJson.Default.EventInvokeConfigOutput);
    }

    private static IResult Get(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, EventInvokeConfigs configs)
    {
        var function = ControlApi.Resolve(context, fn, registry, mapper, out var qualifier);
        var key = qualifier ?? "$LATEST";
        var config = configs.Find(function.Name, key) ?? throw NoConfig(mapper, function.Name, key);
        return ControlApi.Json(Output(config, mapper), ApiJson.Default.EventInvokeConfigOutput);
    }

    private static IResult Delete(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, EventInvokeConfigs configs)
    {
        var function = ControlApi.Resolve(context, fn, registry, mapper, out var qualifier);
        var key = qualifier ?? "$LATEST";
        if (!configs.Delete(function.Name, key))
        {
            throw NoConfig(mapper, function.Name, key);
        }

        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    private static IResult List(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, EventInvokeConfigs configs)
    {
        var function = ControlApi.Resolve(context, fn, registry, mapper);
        var max = RequestReader.ReadIntQuery(context.Request, "MaxItems") ?? 50;
        if (max is < 1 or > 50)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 50");
        }

        // One configuration per qualifier, and only $LATEST exists: a single page always holds them all.
        var all = configs.List(function.Name);
        return ControlApi.Json(new ListEventInvokeConfigsResponse([.. all.Take(max).Select(c => Output(c, mapper))], null), ApiJson.Default.ListEventInvokeConfigsResponse);
    }

    /// <summary>A destination from the request; with no DestinationConfig at all, Update keeps the current one.</summary>
    private static string? Destination(DestinationModel? requested, string? current, bool absent) =>
        absent ? current : string.IsNullOrEmpty(requested?.Destination) ? null : requested.Destination;

    private static EventInvokeConfigOutput Output(EventInvokeConfig config, FunctionMapper mapper) => new(
        config.LastModified.ToUnixTimeMilliseconds() / 1000.0,
        mapper.Arn(config.FunctionName, config.Qualifier),
        config.RetryAttempts,
        (int)config.MaximumEventAge.TotalSeconds,
        new DestinationConfigModel
        {
            OnSuccess = new DestinationModel { Destination = config.OnSuccess },
            OnFailure = new DestinationModel { Destination = config.OnFailure },
        });

    private static LambdaException NoConfig(FunctionMapper mapper, string name, string qualifier) =>
        LambdaException.NotFound($"The function {mapper.Arn(name, qualifier)} doesn't have an EventInvokeConfig");
}
