namespace Stratus.Cli.Manifests;

/// <summary>
/// A <c>stratus.yaml</c> as read and checked: what the project wants to exist. <see cref="Project"/>
/// marks the functions it owns on the server, so <c>--prune</c> deletes only those it no longer lists.
/// </summary>
internal sealed record ProjectManifest(string Path, string Project, IReadOnlyList<FunctionSpec> Functions)
{
    public const string FileName = "stratus.yaml";

    /// <summary>The manifest's folder: code directories are relative to it.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(Path)!;

    /// <summary>The function description that marks a function as applied from this project.</summary>
    public string OwnerMark => $"stratus.yaml project {Project}";
}

internal sealed record FunctionSpec(
    string Name,
    string Runtime,
    string Handler,
    string Code,
    string? Build,
    int Memory,
    int Timeout,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<ScheduleSpec> Schedules,
    IReadOnlyList<QueueSpec> Queues,
    UrlSpec? Url);

internal sealed record ScheduleSpec(string Name, string Expression, string Timezone, string? Input, bool Enabled);

internal sealed record QueueSpec(string Name, int BatchSize, int BatchWindow, bool ReportBatchItemFailures, bool Enabled);

internal sealed record UrlSpec(string AuthType, CorsSpec? Cors);

internal sealed record CorsSpec(
    IReadOnlyList<string> AllowOrigins,
    IReadOnlyList<string> AllowMethods,
    IReadOnlyList<string> AllowHeaders,
    IReadOnlyList<string> ExposeHeaders,
    int? MaxAge,
    bool AllowCredentials);
