using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Stratus.Functions;
using Stratus.Tenancy;

namespace Stratus.Api;

/// <summary>The Lambda control API: create, read, update, list and delete functions.</summary>
internal static class ControlApi
{
    private const string Functions = "/2015-03-31/functions";

    public static void MapControlApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Functions, CreateAsync);
        endpoints.MapGet(Functions, List);
        endpoints.MapGet(Functions + "/{fn}", Get);
        endpoints.MapGet(Functions + "/{fn}/configuration", GetConfiguration);
        endpoints.MapPut(Functions + "/{fn}/configuration", UpdateConfigurationAsync);
        endpoints.MapPut(Functions + "/{fn}/code", UpdateCodeAsync);
        endpoints.MapDelete(Functions + "/{fn}", Delete);
        endpoints.MapGet("/2016-08-19/account-settings", AccountSettings);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, FunctionRegistry registry, FunctionMapper mapper)
    {
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.CreateFunctionRequest);
        var name = Required(request.FunctionName, "FunctionName");
        var reference = FunctionArn.Parse(name);
        if (reference.Qualifier is not null)
        {
            throw LambdaException.InvalidParameter("Qualifier is not allowed in the function name of CreateFunction.");
        }

        if (request.PackageType is not null and not "Zip")
        {
            throw LambdaException.InvalidParameter($"Stratus runs .zip functions only; PackageType {request.PackageType} is not supported.");
        }

        var zip = DecodeZip(request.Code?.ZipFile, request.Code?.S3Bucket ?? request.Code?.ImageUri);
        CheckQuotas(context, registry, zip.Length, replacing: null);
        var created = registry.Create(
            new FunctionDefinition
            {
                Name = mapper.Owned(context, reference.Name),
                Runtime = Required(request.Runtime, "Runtime"),
                Role = Required(request.Role, "Role"),
                Handler = request.Handler ?? "",
                Description = request.Description ?? "",
                MemorySize = request.MemorySize ?? FunctionLimits.DefaultMemoryMb,
                EphemeralStorageMb = request.EphemeralStorage?.Size ?? FunctionLimits.DefaultEphemeralStorageMb,
                Timeout = request.Timeout ?? FunctionLimits.DefaultTimeoutSeconds,
                Environment = request.Environment?.Variables ?? [],
                DeadLetterTargetArn = DeadLetterTarget(request.DeadLetterConfig, null, context.GetCaller().AccountId),
                CodeSha256 = "",
                CodeSize = 0,
                RevisionId = "",
                LastModified = default,
            },
            zip);
        // Publish: the new code is also published as a version, and the answer describes that version.
        var shown = request.Publish == true ? registry.PublishVersion(created.Name, mapper.Arn(created.Name), null, null, null) : created;
        return Json(mapper.Configuration(shown), ApiJson.Default.FunctionConfigurationOutput, StatusCodes.Status201Created);
    }

    private static IResult List(HttpContext context, FunctionRegistry registry, FunctionMapper mapper)
    {
        var max = RequestReader.ReadIntQuery(context.Request, "MaxItems") ?? FunctionLimits.DefaultListItems;
        if (max is < 1 or > FunctionLimits.MaxListItems)
        {
            throw LambdaException.InvalidParameter($"1 validation error detected: Value '{max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and {FunctionLimits.MaxListItems}");
        }

        var marker = context.Request.Query["Marker"].ToString();
        var (page, next) = registry.List(context.GetCaller().AccountId, marker.Length == 0 ? null : DecodeMarker(marker), max);
        var body = new ListFunctionsResponse([.. page.Select(mapper.Configuration)], next is null ? null : EncodeMarker(next));
        return Json(body, ApiJson.Default.ListFunctionsResponse);
    }

    private static IResult Get(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, Execution.ConcurrencyLimits concurrency)
    {
        var function = Resolve(context, fn, registry, mapper);
        var links = context.RequestServices.GetRequiredService<CodeLinks>();
        var location = $"{context.Request.Scheme}://{context.Request.Host}{links.Create(CodeStore.HexFromBase64(function.CodeSha256))}";
        var body = new GetFunctionResponse(mapper.Configuration(function), new FunctionCodeLocation("S3", location), [])
        {
            Concurrency = concurrency.ReservedFor(function.Name) is { } reserved ? new FunctionConcurrency(reserved) : null,
        };
        return Json(body, ApiJson.Default.GetFunctionResponse);
    }

    private static IResult GetConfiguration(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper) =>
        Json(mapper.Configuration(Resolve(context, fn, registry, mapper)), ApiJson.Default.FunctionConfigurationOutput);

    private static async Task<IResult> UpdateConfigurationAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var name = ResolveLatest(context, fn, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.UpdateFunctionConfigurationRequest);
        var updated = registry.Update(name, mapper.Arn(name), request.RevisionId, current => current with
        {
            Runtime = request.Runtime ?? current.Runtime,
            Role = request.Role ?? current.Role,
            Handler = request.Handler ?? current.Handler,
            Description = request.Description ?? current.Description,
            MemorySize = request.MemorySize ?? current.MemorySize,
            EphemeralStorageMb = request.EphemeralStorage?.Size ?? current.EphemeralStorageMb,
            Timeout = request.Timeout ?? current.Timeout,
            Environment = request.Environment is { } environment ? environment.Variables ?? [] : current.Environment,
            DeadLetterTargetArn = DeadLetterTarget(request.DeadLetterConfig, current.DeadLetterTargetArn, current.AccountId),
        });
        return Json(mapper.Configuration(updated), ApiJson.Default.FunctionConfigurationOutput);
    }

    private static async Task<IResult> UpdateCodeAsync(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper)
    {
        var name = ResolveLatest(context, fn, mapper);
        var request = await RequestReader.ReadJsonAsync(context.Request, ApiJson.Default.UpdateFunctionCodeRequest);
        var zip = DecodeZip(request.ZipFile, request.S3Bucket ?? request.ImageUri);
        var arn = mapper.Arn(name);
        if (request.DryRun == true)
        {
            var current = registry.Get(name, arn);
            return Json(mapper.Configuration(current), ApiJson.Default.FunctionConfigurationOutput);
        }

        CheckQuotas(context, registry, zip.Length, replacing: name);
        var updated = registry.UpdateCode(name, arn, zip, request.RevisionId);
        var shown = request.Publish == true ? registry.PublishVersion(name, arn, null, null, updated.RevisionId) : updated;
        return Json(mapper.Configuration(shown), ApiJson.Default.FunctionConfigurationOutput);
    }

    private static IResult Delete(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, Execution.ConcurrencyLimits concurrency)
    {
        var reference = FunctionArn.Parse(fn);
        var qualifier = Qualifier(context, reference);
        var name = mapper.Scoped(context, reference);
        if (qualifier == "$LATEST")
        {
            throw LambdaException.InvalidParameter("$LATEST version cannot be deleted without deleting the function.");
        }

        if (qualifier is not null)
        {
            if (!FunctionRegistry.TryParseVersion(qualifier, out _))
            {
                throw LambdaException.InvalidParameter($"Deletion of aliases is not supported through DeleteFunction; delete alias {qualifier} with DeleteAlias.");
            }

            registry.DeleteVersion(name, qualifier, mapper.Arn(name, qualifier));
            // Its provisioned concurrency goes with it.
            context.RequestServices.GetRequiredService<Storage.IFunctionStore>().SetProvisionedConcurrency(FunctionRegistry.QualifiedKey(name, qualifier), null);
            return Results.StatusCode(StatusCodes.Status204NoContent);
        }

        registry.Delete(name, mapper.Arn(name));
        concurrency.TryReserve(name, null);
        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    private static IResult AccountSettings(HttpContext context, FunctionRegistry registry, Execution.ConcurrencyLimits limits)
    {
        var functions = registry.OwnedBy(context.GetCaller().AccountId).ToList();
        var total = functions.Sum(f => f.CodeSize);
        var body = new AccountSettingsResponse(
            new AccountLimit(75L * 1024 * 1024 * 1024, FunctionLimits.MaxUnzippedBytes, FunctionLimits.MaxZipBytes, limits.AccountLimit, limits.Unreserved),
            new AccountUsage(total, functions.Count));
        return Json(body, ApiJson.Default.AccountSettingsResponse);
    }

    /// <summary>
    /// The caller's account quotas: how many functions it may have and how much code in all (the zips
    /// as stored). <paramref name="replacing"/> is the function whose code a new zip replaces.
    /// </summary>
    private static void CheckQuotas(HttpContext context, FunctionRegistry registry, long zipBytes, string? replacing)
    {
        var account = context.GetCaller().AccountId;
        var quotas = context.RequestServices.GetRequiredService<AccountDirectory>().QuotasOf(account);
        if (quotas.MaxFunctions is null && quotas.MaxCodeSizeBytes is null)
        {
            return;
        }

        var owned = registry.OwnedBy(account).ToList();
        if (replacing is null && quotas.MaxFunctions is { } maxFunctions && owned.Count >= maxFunctions)
        {
            throw new LambdaException(StatusCodes.Status400BadRequest, "ServiceQuotaExceededException",
                $"Account {account} has {owned.Count} functions, its quota; delete one or ask the operator to raise the quota.");
        }

        var total = owned.Where(f => f.Name != replacing).Sum(f => f.CodeSize) + zipBytes;
        if (quotas.MaxCodeSizeBytes is { } maxCode && total > maxCode)
        {
            throw new LambdaException(StatusCodes.Status400BadRequest, "CodeStorageExceededException",
                $"Code storage limit exceeded: account {account} would hold {total} bytes of code, over its quota of {maxCode} bytes.");
        }
    }

    /// <summary>Finds the function a request names, honouring a qualifier (version or alias) in the name or the query.</summary>
    internal static FunctionDefinition Resolve(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper) =>
        Resolve(context, fn, registry, mapper, out _);

    /// <summary>
    /// As <see cref="Resolve(HttpContext, string, FunctionRegistry, FunctionMapper)"/>; with <paramref name="route"/>
    /// (an invocation) an alias that splits traffic picks one of its versions by weight.
    /// </summary>
    internal static FunctionDefinition Resolve(HttpContext context, string fn, FunctionRegistry registry, FunctionMapper mapper, out string? qualifier, bool route = false)
    {
        var reference = FunctionArn.Parse(fn);
        qualifier = Qualifier(context, reference);
        var name = mapper.Scoped(context, reference);
        return registry.TryResolve(name, qualifier, route, out var function) ? function
            : throw LambdaException.NotFound($"Function not found: {mapper.Arn(name, qualifier)}");
    }

    private static string ResolveLatest(HttpContext context, string fn, FunctionMapper mapper)
    {
        var reference = FunctionArn.Parse(fn);
        if (reference.Qualifier is not null)
        {
            throw LambdaException.InvalidParameter("Only $LATEST can be updated; remove the qualifier from the function name.");
        }

        return mapper.Scoped(context, reference);
    }

    /// <summary>The qualifier a request gives, in the function name or the Qualifier query parameter (they must agree).</summary>
    internal static string? Qualifier(HttpContext context, FunctionArn reference)
    {
        // Most requests have no query at all: their Query collection is not made.
        var query = context.Request.QueryString.HasValue ? context.Request.Query["Qualifier"].ToString() : "";
        if (query.Length > 0 && reference.Qualifier is not null && query != reference.Qualifier)
        {
            throw LambdaException.InvalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
        }

        return query.Length > 0 ? query : reference.Qualifier;
    }

    private static byte[] DecodeZip(string? zipFile, string? otherSource)
    {
        if (zipFile is null)
        {
            throw LambdaException.InvalidParameter(otherSource is null
                ? "Please provide a source for function code: Code.ZipFile."
                : "Stratus takes function code as Code.ZipFile (base64 zip); S3 and image sources are not supported.");
        }

        try
        {
            return Convert.FromBase64String(zipFile);
        }
        catch (FormatException)
        {
            throw LambdaException.InvalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.");
        }
    }

    /// <summary>The dead-letter queue a request sets: unchanged when absent, none when its TargetArn is empty.</summary>
    private static string? DeadLetterTarget(DeadLetterConfigModel? config, string? current, string accountId)
    {
        if (config is null)
        {
            return current;
        }

        if (string.IsNullOrEmpty(config.TargetArn))
        {
            return null;
        }

        if (Invocation.AsyncTarget.IsQueueArn(config.TargetArn) && config.TargetArn.Split(':')[4] != accountId)
        {
            throw LambdaException.InvalidParameter($"The DeadLetterConfig TargetArn '{config.TargetArn}' is a queue of another account; use one of account {accountId}.");
        }

        return Invocation.AsyncTarget.IsQueueArn(config.TargetArn)
            ? config.TargetArn
            : throw LambdaException.InvalidParameter($"The DeadLetterConfig TargetArn '{config.TargetArn}' is not a queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME); Stratus sends dead letters to its own queues only.");
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value)
            ? throw LambdaException.InvalidParameter($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0]) + name[1..]}' failed to satisfy constraint: Member must not be null")
            : value;

    // Markers are opaque to clients; base64 keeps them from looking like names to rely on.
    private static string EncodeMarker(string name) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(name));

    private static string DecodeMarker(string marker)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(marker));
        }
        catch (FormatException)
        {
            throw LambdaException.InvalidParameter("Invalid marker: " + marker);
        }
    }

    internal static IResult Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) =>
        new JsonBytesResult(JsonSerializer.SerializeToUtf8Bytes(value, type), status);

    private sealed class JsonBytesResult(byte[] body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}

/// <summary>Limits the API reports (kept apart so the API does not reach into the engine).</summary>
