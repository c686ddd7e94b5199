using System.Text.RegularExpressions;
using Stratus.Api;

namespace Stratus.Functions;

/// <summary>
/// A function reference as clients send it: a name, a partial ARN (<c>123456789012:function:name</c>)
/// or a full ARN, each with an optional <c>:qualifier</c>.
/// </summary>
public readonly partial record struct FunctionArn(string Name, string? Qualifier, string? AccountId)
{
    public static FunctionArn Parse(string value)
    {
        // The common case, a plain name, skips the regular expression (Invoke's hot path).
        if (value.Length is > 0 and <= 64 && !value.AsSpan().ContainsAnyExcept(NameCharacters))
        {
            return new FunctionArn(value, null, null);
        }

        var match = Pattern().Match(value);
        if (!match.Success || match.Groups["name"].Length > 64)
        {
            throw LambdaException.InvalidParameter(
                $"1 validation error detected: Value '{value}' at 'functionName' failed to satisfy constraint: " +
                "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
        }

        var qualifier = match.Groups["qualifier"].Success ? match.Groups["qualifier"].Value : null;
        var account = match.Groups["account"].Success ? match.Groups["account"].Value : null;
        return new FunctionArn(match.Groups["name"].Value, qualifier, account);
    }

    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    public static string Format(string region, string accountId, string name, string? qualifier = null) =>
        qualifier is null
            ? $"arn:aws:lambda:{region}:{accountId}:function:{name}"
            : $"arn:aws:lambda:{region}:{accountId}:function:{name}:{qualifier}";

    [GeneratedRegex(@"^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?((?<account>\d{12}):)?(function:)?(?<name>[a-zA-Z0-9\-_]+)(:(?<qualifier>\$LATEST|[a-zA-Z0-9\-_]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
