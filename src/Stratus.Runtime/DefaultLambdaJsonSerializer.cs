using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Stratus.Runtime;

/// <summary>
/// System.Text.Json by reflection: property names as declared, read case-insensitively, comments and
/// trailing commas allowed. For NativeAOT, use <see cref="SourceGeneratorLambdaJsonSerializer{TContext}"/>.
/// </summary>
public sealed class DefaultLambdaJsonSerializer : ILambdaSerializer
{
    private readonly JsonSerializerOptions _options;

    [RequiresUnreferencedCode("Serialises by reflection; use SourceGeneratorLambdaJsonSerializer when trimming.")]
    [RequiresDynamicCode("Serialises by reflection; use SourceGeneratorLambdaJsonSerializer with NativeAOT.")]
    public DefaultLambdaJsonSerializer()
    {
        _options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
    }

    // The constructor carries the trimming warning: whoever creates this serializer has chosen reflection.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Warned at the constructor.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Warned at the constructor.")]
    public T Deserialize<T>(Stream requestStream) => JsonSerializer.Deserialize<T>(requestStream, _options)!;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Warned at the constructor.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Warned at the constructor.")]
    public void Serialize<T>(T response, Stream responseStream) => JsonSerializer.Serialize(responseStream, response, _options);
}
