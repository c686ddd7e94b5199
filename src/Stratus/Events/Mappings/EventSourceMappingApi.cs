using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Api;
using Stratus.Storage;

namespace Stratus.Events.Mappings;

/// <summary>Lambda's event source mapping API: create, get, list, update and delete.</summary>
internal static class EventSourceMappingApi
{
    private const string Path = "/2015-03-31/event-source-mappings";

    public static void MapEventSourceMappingApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, CreateAsync);
        endpoints.MapGet(Path, List);
        endpoints.MapGet(Path + "/{uuid}", (HttpContext context, string uuid, EventSourceMappings mappings) => Output(mappings, Owned(context, uuid, mappings), StatusCodes.Status200OK));
        endpoints.MapPut(Path + "/{uuid}", UpdateAsync);
        endpoints.MapDelete(Path + "/{uuid}", DeleteAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, EventSourceMappings mappings)
    {
        var request = await RequestReader.ReadJsonAsync(context.Request, MappingJson.Default.EventSourceMappingRequest);
        Scope(context, request, mappings);
        var mapping = mappings.Create(request);
        return Output(mappings, mapping, StatusCodes.Status202Accepted, "Creating");
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string uuid, EventSourceMappings mappings)
    {
        var request = await RequestReader.ReadJsonAsync(context.Request, MappingJson.Default.EventSourceMappingRequest);
        var before = Owned(context, uuid, mappings);
        Scope(context, request, mappings);
        var mapping = await mappings.UpdateAsync(uuid, request);
        var state = before.Enabled == mapping.Enabled ? "Updating" : mapping.Enabled ? "Enabling" : "Disabling";
        return Output(mappings, mapping, StatusCodes.Status202Accepted, state);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string uuid, EventSourceMappings mappings)
    {
        Owned(context, uuid, mappings);
        var mapping = await mappings.DeleteAsync(uuid);
        return Output(mappings, mapping, StatusCodes.Status202Accepted, "Deleting");
    }

    private static IResult List(HttpContext context, EventSourceMappings mappings)
    {
        var max = RequestReader.ReadIntQuery(context.Request, "MaxItems") ?? 100;
        if (max is < 1 or > 10000)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000");
        }

        var function = context.Request.Query["FunctionName"].ToString();
        var account = Tenancy.CallerExtensions.GetCaller(context).AccountId;
        var all = mappings.List(function.Length == 0 ? null : ScopedArn(context, function, mappings), context.Request.Query["EventSourceArn"].ToString())
            .Where(m => mappings.Mapper.OwnerOf(m.FunctionName) == account);
        var marker = context.Request.Query["Marker"].ToString();
        var page = all.Where(m => marker.Length == 0 || string.CompareOrdinal(m.Uuid, marker) > 0).Take(max + 1).ToList();
        var next = page.Count > max ? page[max - 1].Uuid : null;
        var body = new ListEventSourceMappingsResponse([.. page.Take(max).Select(m => Shape(mappings, m, null))], next);
        return ControlApi.Json(body, MappingJson.Default.ListEventSourceMappingsResponse);
    }

    /// <summary>A mapping belongs to its function's account; to other accounts it does not exist.</summary>
    private static EventSourceMapping Owned(HttpContext context, string uuid, EventSourceMappings mappings)
    {
        var mapping = mappings.Get(uuid);
        return mappings.Mapper.OwnerOf(mapping.FunctionName) == Tenancy.CallerExtensions.GetCaller(context).AccountId
            ? mapping
            : throw LambdaException.NotFound($"The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: {uuid})");
    }

    /// <summary>Names the request's function by a full ARN of the caller's account (or the one root addressed).</summary>
    private static void Scope(HttpContext context, EventSourceMappingRequest request, EventSourceMappings mappings)
    {
        if (request.FunctionName is { Length: > 0 } name)
        {
            request.FunctionName = ScopedArn(context, name, mappings);
        }
    }

    private static string ScopedArn(HttpContext context, string name, EventSourceMappings mappings)
    {
        var reference = Functions.FunctionArn.Parse(name);
        return mappings.Mapper.Arn(mappings.Mapper.Scoped(context, reference), reference.Qualifier);
    }

    private static IResult Output(EventSourceMappings mappings, EventSourceMapping mapping, int status, string? state = null) =>
        ControlApi.Json(Shape(mappings, mapping, state), MappingJson.Default.EventSourceMappingOutput, status);

    private static EventSourceMappingOutput Shape(EventSourceMappings mappings, EventSourceMapping mapping, string? state) => new(
        mapping.Uuid,
        mapping.BatchSize,
        mapping.MaximumBatchingWindowInSeconds,
        mapping.EventSourceArn,
        mappings.FunctionArn(mapping),
        mapping.LastModified / 1000.0,
        state ?? (mapping.Enabled ? "Enabled" : "Disabled"),
        "USER_INITIATED",
        mapping.ReportBatchItemFailures ? [EventSourceMappings.ReportBatchItemFailures] : [],
        mapping.MaximumConcurrency is { } max ? new ScalingConfigOutput(max) : null,
        $"arn:aws:lambda:{mappings.Queues.Region}:{mappings.Mapper.OwnerOf(mapping.FunctionName)}:event-source-mapping:{mapping.Uuid}");
}
