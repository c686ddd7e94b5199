namespace Stratus.Runtime;

/// <summary>
/// The most general handler: reads the event from <paramref name="input"/> and writes its result to
/// <paramref name="output"/> (left empty, the result is <c>null</c>).
/// </summary>
public delegate ValueTask LambdaHandler(Stream input, ILambdaContext context, Stream output);
