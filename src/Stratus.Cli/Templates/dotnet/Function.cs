using System.Text.Json.Serialization;
using Stratus.Runtime;

namespace App;

public sealed record Request(string? Name);

public sealed record Response(string Message, string RequestId);

/// <summary>The function: Stratus calls <see cref="Handler"/> once per event.</summary>
public sealed class Function
{
    [LambdaSerializer(typeof(SourceGeneratorLambdaJsonSerializer<FunctionJsonContext>))]
    public Task<Response> Handler(Request request, ILambdaContext context)
    {
        var name = string.IsNullOrWhiteSpace(request.Name) ? "world" : request.Name;
        context.Logger.LogLine($"Greeting {name}");
        return Task.FromResult(new Response($"Hello, {name}!", context.AwsRequestId));
    }
}

[JsonSerializable(typeof(Request))]
[JsonSerializable(typeof(Response))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
public sealed partial class FunctionJsonContext : JsonSerializerContext;
