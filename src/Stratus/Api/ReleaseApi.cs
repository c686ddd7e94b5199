using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Functions;

namespace Stratus.Api;

/// <summary>Lambda's releases API: publish and list versions; create, read, update, list and delete aliases.</summary>
internal static class ReleaseApi
{
    private const string Function = "/2015-03-31/functions/{fn}";
    private const int DefaultPage = 50;
    private const int MaxPage = 10_000;

    public static void MapReleaseApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Function + "/versions", PublishAsync);
        endpoints.MapGet(Function + "/versions", ListVersions);
        endpoints.MapPost(Function + "/aliases", CreateAliasAsync);
        endpoints.MapGet(Function + "/aliases", ListAliases);
        endpoints.MapGet(Function + "/aliases/{alias}", GetAlias);
        endpoints.MapPut(Function + "/aliases/{alias}", UpdateAliasAsync);
        endpoints.MapDelete(Function + "/aliases/{alias}", DeleteAlias);
    }

    private static async Task<IResult> PublishAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var name = Unqualified(context, fn, mapper);
        // The AWS CLI sends no body when no option is given.
        var request = context.Request.ContentLength is 0 or null && !context.Request.Headers.ContainsKey("Transfer-Encoding")
            ? new PublishVersionRequest()
            : await RequestReader.ReadJsonAsync(context.Request, ReleaseApiJson.Default.PublishVersionRequest);
        if (request.Description is { Length: > 256 })
        {
            throw LambdaException.InvalidParameter("The version description must be at most 256 characters.");
        }

        var version = registry.PublishVersion(name, mapper.Arn(name), request.Description, request.CodeSha256, request.RevisionId);
        return ControlApi.Json(mapper.Configuration(version), ApiJson.Default.FunctionConfigurationOutput, StatusCodes.Status201Created);
    }

    private static IResult ListVersions(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var name = Unqualified(context, fn, mapper);
        var latest = registry.Get(name, mapper.Arn(name));
        // $LATEST first, then the versions in order; the marker is the place in that list.
        var all = registry.Versions(name).Prepend(latest).ToList();
        var (page, next) = Page(context, all.Count);
        var body = new ListVersionsByFunctionResponse(
            [.. all.Skip(page.Start).Take(page.Count).Select(v => mapper.Configuration(v, v.Version))], next);
        return ControlApi.Json(body, ReleaseApiJson.Default.ListVersionsByFunctionResponse);
    }

    private static async Task<IResult> CreateAliasAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var name = Unqualified(context, fn, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, ReleaseApiJson.Default.CreateAliasRequest);
        var aliasName = Required(request.Name, "Name");
        var alias = registry.CreateAlias(name, mapper.Arn(name, aliasName), new FunctionAlias(
            aliasName, Required(request.FunctionVersion, "FunctionVersion"), request.Description ?? "", Weights(request.RoutingConfig), ""));
        return ControlApi.Json(Output(mapper, name, alias), ReleaseApiJson.Default.AliasConfigurationOutput, StatusCodes.Status201Created);
    }

    private static IResult ListAliases(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var name = Unqualified(context, fn, mapper);
        registry.Get(name, mapper.Arn(name));
        var version = context.Request.Query["FunctionVersion"].ToString();
        var all = registry.Aliases(name).Where(a => version.Length == 0 || a.FunctionVersion == version).ToList();
        var (page, next) = Page(context, all.Count);
        var body = new ListAliasesResponse([.. all.Skip(page.Start).Take(page.Count).Select(a => Output(mapper, name, a))], next);
        return ControlApi.Json(body, ReleaseApiJson.Default.ListAliasesResponse);
    }

    private static IResult GetAlias(HttpContext context, string fn, string alias, FunctionRegistry registry, FunctionMapper mapper)
    {
        var name = Unqualified(context, fn, mapper);
        return ControlApi.Json(Output(mapper, name, registry.GetAlias(name, alias, mapper.Arn(name, alias))), ReleaseApiJson.Default.AliasConfigurationOutput);
    }

    private static async Task<IResult> UpdateAliasAsync(HttpContext context, string fn, string alias, FunctionRegistry registry, FunctionMapper mapper)
    {
        var name = Unqualified(context, fn, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, ReleaseApiJson.Default.UpdateAliasRequest);
        var updated = registry.UpdateAlias(name, alias, mapper.Arn(name, alias), request.RevisionId, current => current with
        {
            FunctionVersion = request.FunctionVersion ?? current.FunctionVersion,
            Description = request.Description ?? current.Description,
            // An empty routing configuration removes the split, as on Lambda.
            AdditionalVersionWeights = request.RoutingConfig is { } routing ? Weights(routing) : current.AdditionalVersionWeights,
        });
        return ControlApi.Json(Output(mapper, name, updated), ReleaseApiJson.Default.AliasConfigurationOutput);
    }

    private static IResult DeleteAlias(HttpContext context, string fn, string alias, FunctionRegistry registry, FunctionMapper mapper, Storage.IFunctionStore store)
    {
        var name = Unqualified(context, fn, mapper);
        var revision = context.Request.Query["RevisionId"].ToString();
        registry.DeleteAlias(name, alias, mapper.Arn(name, alias), revision.Length == 0 ? null : revision);
        // Its provisioned concurrency goes with it (the engine lets its instances go on the change).
        store.SetProvisionedConcurrency(FunctionRegistry.QualifiedKey(name, alias), null);
        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    private static AliasConfigurationOutput Output(FunctionMapper mapper, string name, FunctionAlias alias) => new(
        mapper.Arn(name, alias.Name),
        alias.Name,
        alias.FunctionVersion,
        alias.Description,
        alias.AdditionalVersionWeights.Count == 0 ? null : new AliasRoutingConfiguration { AdditionalVersionWeights = alias.AdditionalVersionWeights.ToDictionary() },
        alias.RevisionId);

    private static Dictionary<string, double> Weights(AliasRoutingConfiguration? routing) =>
        routing?.AdditionalVersionWeights is { } weights ? new Dictionary<string, double>(weights, StringComparer.Ordinal) : new Dictionary<string, double>();

    /// <summary>The registry name of the function a releases request names; a qualifier has no place there.</summary>
    private static string Unqualified(HttpContext context, string fn, FunctionMapper mapper)
    {
        var reference = FunctionArn.Parse(fn);
        if (reference.Qualifier is not null)
        {
            throw LambdaException.InvalidParameter("The function name must not carry a version or alias here; remove the qualifier.");
        }

        return mapper.Scoped(context, reference);
    }

    /// <summary>Which slice of a list of <paramref name="count"/> items a request asks for (Marker, MaxItems), and the next marker.</summary>
    private static ((int Start, int Count) Page, string? Next) Page(HttpContext context, int count)
    {
        var max = RequestReader.ReadIntQuery(context.Request, "MaxItems") ?? DefaultPage;
        if (max is < 1 or > MaxPage)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and {MaxPage}");
        }

        var marker = context.Request.Query["Marker"].ToString();
        var start = 0;
        if (marker.Length > 0 && !int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            throw LambdaException.InvalidParameter("Invalid marker: " + marker);
        }

        var next = start + max < count ? (start + max).ToString(CultureInfo.InvariantCulture) : null;
        return ((start, max), next);
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value)
            ? throw LambdaException.InvalidParameter($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0]) + name[1..]}' failed to satisfy constraint: Member must not be null")
            : value;
}
