using System.Text.Json.Serialization;
using Stratus.Runtime;

// A provided.al2023 function: this program is the bootstrap, NativeAOT-compiled.
if (args.Length > 0 && args[0] == "--bare")
{
    // The same binary started and stopped with no Runtime API: the benchmark's baseline.
    Console.WriteLine("hello");
    return;
}

await LambdaBootstrap.RunAsync<Input, Output>(
    (input, context) =>
    {
        if (input.Fail)
        {
            throw new ArgumentException("asked to fail");
        }

        return Task.FromResult(new Output($"hello {input.Name}", context.FunctionName));
    },
    new SourceGeneratorLambdaJsonSerializer<AotJsonContext>());

internal sealed record Input(string? Name, bool Fail);

internal sealed record Output(string Message, string Function);

[JsonSerializable(typeof(Input))]
[JsonSerializable(typeof(Output))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class AotJsonContext : JsonSerializerContext;
