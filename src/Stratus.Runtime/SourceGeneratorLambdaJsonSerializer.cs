using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Stratus.Runtime;

/// <summary>
/// System.Text.Json with a source-generated <typeparamref name="TContext"/>: no reflection, so it
/// works trimmed and under NativeAOT, and starts faster. Every input and result type must be in the context.
/// </summary>
public sealed class SourceGeneratorLambdaJsonSerializer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TContext> : ILambdaSerializer
    where TContext : JsonSerializerContext
{
    private readonly TContext _context;

    /// <summary>
    /// Uses the generated <c>TContext.Default</c>: unlike <c>new TContext()</c>, it carries the
    /// context's <see cref="JsonSourceGenerationOptionsAttribute"/> (naming policy, null handling).
    /// </summary>
    public SourceGeneratorLambdaJsonSerializer()
        : this(typeof(TContext).GetProperty("Default", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null) as TContext
            ?? throw new InvalidOperationException($"{typeof(TContext).Name} has no static Default property: pass an instance instead"))
    {
    }

    public SourceGeneratorLambdaJsonSerializer(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    public T Deserialize<T>(Stream requestStream) => JsonSerializer.Deserialize(requestStream, TypeInfo<T>())!;

    public void Serialize<T>(T response, Stream responseStream) => JsonSerializer.Serialize(responseStream, response, TypeInfo<T>());

    private JsonTypeInfo<T> TypeInfo<T>() =>
        _context.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new InvalidOperationException($"{typeof(TContext).Name} has no [JsonSerializable(typeof({typeof(T).Name}))]: add it to serialise this type");
}
