namespace Stratus.Cli.Manifests;

/// <summary>What <c>apply</c> did to one resource; <see cref="Detail"/> says what differed or why it was kept.</summary>
internal sealed record AppliedChange(string Kind, string Name, ChangeAction Action, string? Detail = null)
{
    public override string ToString() =>
        $"{Kind} {Name}: {Action.ToString().ToLowerInvariant()}{(Detail is null ? "" : $" ({Detail})")}";
}

internal enum ChangeAction
{
    Created,
    Updated,
    Unchanged,
    Deleted,

    /// <summary>On the server, not in the manifest, and left alone because --prune was not given.</summary>
    Kept,
}
