using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Events;
using Stratus.Functions;

namespace Stratus.Api;

/// <summary>Schedules under <c>/stratus/v1/schedules</c>: create-or-replace, read, list, delete, enable, disable.</summary>
internal static class ScheduleApi
{
    private const int MaxListResults = 1000;

    public static void MapScheduleApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut("/stratus/v1/schedules/{name}", PutAsync);
        endpoints.MapGet("/stratus/v1/schedules/{name}", (HttpContext context, string name, Scheduler scheduler, FunctionMapper mapper) => Output(Owned(context, name, scheduler, mapper), scheduler, mapper));
        endpoints.MapGet("/stratus/v1/schedules", List);
        endpoints.MapDelete("/stratus/v1/schedules/{name}", (HttpContext context, string name, Scheduler scheduler, FunctionMapper mapper) =>
        {
            Owned(context, name, scheduler, mapper);
            scheduler.Delete(name);
            return Results.NoContent();
        });
        endpoints.MapPost("/stratus/v1/schedules/{name}/enable", (HttpContext context, string name, Scheduler scheduler, FunctionMapper mapper) =>
        {
            Owned(context, name, scheduler, mapper);
            return Output(scheduler.SetState(name, ScheduleState.Enabled), scheduler, mapper);
        });
        endpoints.MapPost("/stratus/v1/schedules/{name}/disable", (HttpContext context, string name, Scheduler scheduler, FunctionMapper mapper) =>
        {
            Owned(context, name, scheduler, mapper);
            return Output(scheduler.SetState(name, ScheduleState.Disabled), scheduler, mapper);
        });
    }

    private static async Task<IResult> PutAsync(HttpContext context, string name, Scheduler scheduler, FunctionRegistry registry, FunctionMapper mapper)
    {
        var request = await RequestReader.ReadJsonAsync(context.Request, ScheduleApiJson.Default.PutScheduleRequest);
        if (request.Target?.FunctionName is not { Length: > 0 } functionName)
        {
            throw ScheduleErrors.Validation("Target.FunctionName is required: the name or ARN of the function to invoke.");
        }

        var function = FunctionArn.Parse(functionName);
        if (request.Target.Qualifier is { } qualifier && function.Qualifier is { } inArn && qualifier != inArn)
        {
            throw ScheduleErrors.Validation($"Target.Qualifier {qualifier} contradicts the qualifier {inArn} in Target.FunctionName.");
        }

        // A schedule needs an existing function when it is made; one deleted later shows the error on its ticks.
        var key = mapper.Scoped(context, function);
        if (!registry.TryGet(key, out _))
        {
            throw LambdaException.NotFound($"Function not found: {mapper.Arn(key)}");
        }

        // Schedule names are unique on the server; another account's schedule is not replaced.
        if (scheduler.TryGet(name, out var existing) && !Visible(context, existing.Definition, mapper))
        {
            throw LambdaException.Conflict($"The schedule name {name} is taken; choose another.");
        }

        var state = request.State switch
        {
            null or "ENABLED" => ScheduleState.Enabled,
            "DISABLED" => ScheduleState.Disabled,
            _ => throw ScheduleErrors.Validation($"State must be ENABLED or DISABLED, not {request.State}."),
        };
        var missed = request.MissedTicks switch
        {
            null or "SKIP" => MissedTicks.Skip,
            "CATCH_UP_ONCE" => MissedTicks.CatchUpOnce,
            _ => throw ScheduleErrors.Validation($"MissedTicks must be SKIP or CATCH_UP_ONCE, not {request.MissedTicks}."),
        };
        var target = new ScheduleTarget(key, request.Target.Qualifier ?? function.Qualifier, request.Target.Input);
        var view = scheduler.Put(name, request.ScheduleExpression ?? "", request.ScheduleExpressionTimezone, state, target, missed);
        return Output(view, scheduler, mapper);
    }

    private static IResult List(HttpContext context, Scheduler scheduler, FunctionMapper mapper)
    {
        var limit = RequestReader.ReadIntQuery(context.Request, "MaxResults") ?? 100;
        if (limit is < 1 or > MaxListResults)
        {
            throw ScheduleErrors.Validation($"MaxResults must be between 1 and {MaxListResults}.");
        }

        var prefix = context.Request.Query["NamePrefix"].ToString();
        var token = context.Request.Query["NextToken"].ToString();
        var page = scheduler.List(prefix.Length == 0 ? null : prefix, token.Length == 0 ? null : token, limit, d => Visible(context, d, mapper));
        var next = page.Count == limit ? page[^1].Definition.Name : null;
        return ControlApi.Json(new ListSchedulesResponse(page.Select(v => Map(v, scheduler, mapper)).ToList(), next), ScheduleApiJson.Default.ListSchedulesResponse);
    }

    /// <summary>A schedule belongs to the account of the function it targets; to other accounts it does not exist.</summary>
    private static ScheduleView Owned(HttpContext context, string name, Scheduler scheduler, FunctionMapper mapper)
    {
        var view = scheduler.Get(name);
        return Visible(context, view.Definition, mapper) ? view : throw ScheduleErrors.NotFound(name);
    }

    private static bool Visible(HttpContext context, ScheduleDefinition definition, FunctionMapper mapper) =>
        mapper.OwnerOf(definition.Target.FunctionName) == Tenancy.CallerExtensions.GetCaller(context).AccountId;

    private static IResult Output(ScheduleView view, Scheduler scheduler, FunctionMapper mapper) =>
        ControlApi.Json(Map(view, scheduler, mapper), ScheduleApiJson.Default.ScheduleOutput);

    private static ScheduleOutput Map(ScheduleView view, Scheduler scheduler, FunctionMapper mapper)
    {
        var (definition, firing) = (view.Definition, view.LastFiring);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(definition.ScheduleExpressionTimezone);
        return new ScheduleOutput(
            definition.Name,
            scheduler.Arn(definition),
            definition.ScheduleExpression,
            definition.ScheduleExpressionTimezone,
            definition.State == ScheduleState.Enabled ? "ENABLED" : "DISABLED",
            new ScheduleTargetOutput(Tenancy.ScopedNames.Display(definition.Target.FunctionName), mapper.Arn(definition.Target.FunctionName, definition.Target.Qualifier), definition.Target.Qualifier, definition.Target.Input),
            definition.MissedTicks == MissedTicks.Skip ? "SKIP" : "CATCH_UP_ONCE",
            Utc(definition.CreationDate),
            Utc(definition.LastModificationDate),
            view.NextFireTimes.Select(t => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)).ToList(),
            firing is null ? null : new LastFiringOutput(Utc(firing.Tick), Utc(firing.EnqueuedAt), Math.Round((firing.EnqueuedAt - firing.Tick).TotalMilliseconds, 3), firing.RequestId, firing.Duplicate, firing.Error));
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
