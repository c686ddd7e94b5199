namespace Stratus.Functions;

/// <summary>
/// A name for a published version of a function (Lambda's alias), optionally sending a share of the
/// invocations to one more version (<see cref="AdditionalVersionWeights"/>: version → share, 0 to 1).
/// </summary>
public sealed record FunctionAlias(
    string Name,
    string FunctionVersion,
    string Description,
    IReadOnlyDictionary<string, double> AdditionalVersionWeights,
    string RevisionId);
