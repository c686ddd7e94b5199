using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Stratus.Events.Urls;
using Stratus.Functions;
using Stratus.Hosting;

namespace Stratus.Api;

/// <summary>Lambda's Create/Get/Update/Delete/ListFunctionUrlConfigs (<c>/2021-10-31/functions/{fn}/url[s]</c>).</summary>
internal static class FunctionUrlApi
{
    private const string Path = "/2021-10-31/functions/{fn}/url";
    private const int MaxListItems = 50;

    public static void MapFunctionUrlApi(this IEndpointRouteBuilder endpoints)
    {
        // Made now, not on first use: it removes a function's URLs when the function is deleted.
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<FunctionUrls>(endpoints.ServiceProvider);
        endpoints.MapPost(Path, CreateAsync);
        endpoints.MapGet(Path, Get);
        endpoints.MapPut(Path, UpdateAsync);
        endpoints.MapDelete(Path, Delete);
        endpoints.MapGet(Path + "s", List);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, FunctionUrls urls, IOptions<StratusOptions> options)
    {
        var (name, qualifier) = Target(context, fn, registry, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, FunctionUrlJson.Default.FunctionUrlConfigRequest);
        var authType = request.AuthType ?? throw LambdaException.InvalidParameter("1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null");
        FunctionUrlValidator.Validate(authType, request.Cors, request.InvokeMode);
        var created = urls.TryCreate(name, qualifier, authType, request.Cors, request.InvokeMode ?? FunctionUrlConfig.Buffered)
            ?? throw LambdaException.Conflict($"Failed to create function url config for [functionArn = {mapper.Arn(name, qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function");
        var output = Output(context, created, mapper, options.Value, withLastModified: false);
        return ControlApi.Json(output, FunctionUrlJson.Default.FunctionUrlConfigOutput, StatusCodes.Status201Created);
    }

    private static IResult Get(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, FunctionUrls urls, IOptions<StratusOptions> options)
    {
        var (name, qualifier) = Target(context, fn, registry, mapper);
        var config = urls.Find(name, qualifier) ?? throw NoUrl();
        return ControlApi.Json(Output(context, config, mapper, options.Value), FunctionUrlJson.Default.FunctionUrlConfigOutput);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, FunctionUrls urls, IOptions<StratusOptions> options)
    {
        var (name, qualifier) = Target(context, fn, registry, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, FunctionUrlJson.Default.FunctionUrlConfigRequest);
        FunctionUrlValidator.Validate(request.AuthType, request.Cors, request.InvokeMode);

        // Fields left out keep their value; a Cors given replaces the whole Cors.
        var updated = urls.TryUpdate(name, qualifier, current => current with
        {
            AuthType = request.AuthType ?? current.AuthType,
            Cors = request.Cors ?? current.Cors,
            InvokeMode = request.InvokeMode ?? current.InvokeMode,
        }) ?? throw NoUrl();
        return ControlApi.Json(Output(context, updated, mapper, options.Value), FunctionUrlJson.Default.FunctionUrlConfigOutput);
    }

    private static IResult Delete(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, FunctionUrls urls)
    {
        var (name, qualifier) = Target(context, fn, registry, mapper);
        return urls.TryDelete(name, qualifier) ? Results.StatusCode(StatusCodes.Status204NoContent) : throw NoUrl();
    }

    private static IResult List(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, FunctionUrls urls, IOptions<StratusOptions> options)
    {
        var name = mapper.Scoped(context, FunctionArn.Parse(fn));
        registry.Get(name, mapper.Arn(name));
        var max = RequestReader.ReadIntQuery(context.Request, "MaxItems") ?? MaxListItems;
        if (max is < 1 or > MaxListItems)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and {MaxListItems}");
        }

        // The marker is the position of the next config, opaque to clients.
        var marker = context.Request.Query["Marker"].ToString();
        var start = 0;
        if (marker.Length > 0 && (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start < 0))
        {
            throw LambdaException.InvalidParameter("Invalid marker: " + marker);
        }

        var all = urls.ForFunction(name);
        var page = all.Skip(start).Take(max).Select(c => Output(context, c, mapper, options.Value)).ToList();
        var next = start + page.Count < all.Count ? (start + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return ControlApi.Json(new ListFunctionUrlConfigsResponse(page, next), FunctionUrlJson.Default.ListFunctionUrlConfigsResponse);
    }

    /// <summary>
    /// The function a request names and its qualifier: null for the function itself or <c>$LATEST</c>.
    /// URLs on versions and aliases are not served yet: any other qualifier names nothing.
    /// </summary>
    private static (string Name, string? Qualifier) Target(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var reference = FunctionArn.Parse(fn);
        var qualifier = ControlApi.Qualifier(context, reference);
        var name = mapper.Scoped(context, reference);
        if (qualifier is not null and not "$LATEST")
        {
            throw LambdaException.NotFound($"Function not found: {mapper.Arn(name, qualifier)}");
        }

        registry.Get(name, mapper.Arn(name));
        return (name, null);
    }

    private static LambdaException NoUrl() => LambdaException.NotFound("The resource you requested does not exist.");

    private static FunctionUrlConfigOutput Output(HttpContext context, FunctionUrlConfig config, FunctionMapper mapper, StratusOptions options, bool withLastModified = true) => new()
    {
        FunctionUrl = FunctionUrlAddress.For(config.UrlId, options.PublicUrl, context.Request),
        FunctionArn = mapper.Arn(config.FunctionName, config.Qualifier),
        AuthType = config.AuthType,
        Cors = config.Cors,
        CreationTime = Timestamp(config.CreationTime),
        LastModifiedTime = withLastModified ? Timestamp(config.LastModifiedTime) : null,
        InvokeMode = config.InvokeMode,
    };

    /// <summary>ISO-8601 with microseconds, as Lambda writes a function URL's times.</summary>
    private static string Timestamp(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
