namespace Stratus.Functions;

/// <summary>The stored state of one function's <c>$LATEST</c>, or of one of its published versions: its configuration and its code.</summary>
public sealed record FunctionDefinition
{
    /// <summary>The registry name: <c>account/name</c>, or the bare name for the root account (see <see cref="Tenancy.ScopedNames"/>).</summary>
    public required string Name { get; init; }

    /// <summary>The name clients know the function by.</summary>
    public string FunctionName => Tenancy.ScopedNames.Display(Name);

    /// <summary>The account that owns the function; its ARNs carry this id.</summary>
    public string AccountId { get; init; } = Hosting.StratusOptions.DefaultAccountId;

    public required string Runtime { get; init; }

    public required string Role { get; init; }

    public required string Handler { get; init; }

    public string Description { get; init; } = "";

    public int MemorySize { get; init; } = FunctionLimits.DefaultMemoryMb;

    public int Timeout { get; init; } = FunctionLimits.DefaultTimeoutSeconds;

    /// <summary>Size of the instance's private /tmp (Lambda's EphemeralStorage).</summary>
    public int EphemeralStorageMb { get; init; } = FunctionLimits.DefaultEphemeralStorageMb;

    /// <summary>False: the function's instances run with no network at all (only a loopback of their own).</summary>
    public bool NetworkAccess { get; init; } = true;

    /// <summary>The queue that gets an asynchronous event that failed for good (Lambda's DeadLetterConfig.TargetArn).</summary>
    public string? DeadLetterTargetArn { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Base64 of the SHA-256 of the zip, as Lambda reports it.</summary>
    public required string CodeSha256 { get; init; }

    public required long CodeSize { get; init; }

    public required string RevisionId { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    public string Version { get; init; } = "$LATEST";

    /// <summary>
    /// Where the engine keeps this definition's instances: one pool for a function's <c>$LATEST</c>
    /// (its registry name), one per published version (<c>name:N</c>, set when the version is made).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string PoolKey => VersionKey ?? Name;

    [System.Text.Json.Serialization.JsonIgnore]
    internal string? VersionKey { get; init; }
}
