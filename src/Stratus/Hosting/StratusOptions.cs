namespace Stratus.Hosting;

/// <summary>Settings of one Stratus server. Defaults are constants so the CLI can show them.</summary>
public sealed class StratusOptions
{
    public const string DefaultListen = "127.0.0.1:9000";
    public const string DefaultDataDirectory = ".stratus";
    public const string DefaultRegion = "us-east-1";
    public const string DefaultAccountId = "000000000000";
    public const int DefaultKeepAliveSeconds = 300;
    public const KeepAliveMode DefaultKeepAlivePolicy = KeepAliveMode.Adaptive;
    public const int DefaultConcurrencyLimit = 1000;
    public const int DefaultBurstInstances = 1000;
    public const int DefaultStandbyRuntimes = 2;
    public const int DefaultAsyncRetryDelaySeconds = 60;
    public const int DefaultAsyncConcurrency = 16;
    public const int DefaultLogRetentionDays = 7;
    public const int DefaultLogMaxMegabytes = 1024;

    /// <summary>Where state, code and logs live.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    public string Region { get; set; } = DefaultRegion;

    public string AccountId { get; set; } = DefaultAccountId;

    /// <summary>
    /// How long an idle instance is kept warm before it is reclaimed: for every function with the fixed
    /// policy; with the adaptive one, for a function whose idle times are not known well enough yet.
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(DefaultKeepAliveSeconds);

    /// <summary>Whether each function's keep-alive and pre-warming are learnt from its idle times.</summary>
    public KeepAliveMode KeepAlivePolicy { get; set; } = DefaultKeepAlivePolicy;

    /// <summary>Invocations that may be in flight at once across all functions (Lambda's account concurrency).</summary>
    public int ConcurrencyLimit { get; set; } = DefaultConcurrencyLimit;

    /// <summary>How long a runtime may take from start to its first <c>invocation/next</c>.</summary>
    public TimeSpan InitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>New instances one function may start per 10 seconds (Lambda's scaling rate).</summary>
    public int BurstInstances { get; set; } = DefaultBurstInstances;

    /// <summary>
    /// Most memory, in MB, the live instances of this node may be configured with together (the sum of
    /// their MemorySize); null for 80 % of the machine's memory.
    /// </summary>
    public long? MemoryBudgetMb { get; set; }

    /// <summary>Bound each instance's memory, CPU and process count with cgroups where the kernel allows.</summary>
    public bool ResourceLimits { get; set; } = true;

    /// <summary>Run each instance as its own user in its own mount namespace where the host allows.</summary>
    public bool Isolation { get; set; } = true;

    /// <summary>Give each instance cores of its own, spread over the machine's (see CpuPlacement); false leaves placement to the kernel.</summary>
    public bool CpuPlacement { get; set; } = true;

    /// <summary>
    /// Node and python processes, each, kept booted and waiting to become an instance of whichever
    /// function needs one next (0: every cold start boots its interpreter).
    /// </summary>
    public int StandbyRuntimes { get; set; } = DefaultStandbyRuntimes;

    /// <summary>Directory holding the node and python bootstraps; defaults to the one shipped beside the binary.</summary>
    public string? RuntimesDirectory { get; set; }

    /// <summary>
    /// The address users reach this server at, when a proxy stands in front (e.g.
    /// <c>https://fn.example.com</c>): function URLs are shown on it. Null: the address the caller used.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Wait before the first retry of an asynchronous event the function failed; the second waits
    /// twice as long (Lambda: about 1 and 2 minutes).
    /// </summary>
    public TimeSpan AsyncRetryDelay { get; set; } = TimeSpan.FromSeconds(DefaultAsyncRetryDelaySeconds);

    /// <summary>Asynchronous events run at once at most (the rest wait in the durable queue).</summary>
    public int AsyncConcurrency { get; set; } = DefaultAsyncConcurrency;

    /// <summary>
    /// Base64 of the 32-byte key that seals access key secrets (env STRATUS_MASTER_KEY); null: the key
    /// in <c>&lt;data&gt;/master.key</c>, made on first start.
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>The root account's access key id on first start (env STRATUS_ROOT_ACCESS_KEY_ID); null: a new one.</summary>
    public string? RootAccessKeyId { get; set; }

    /// <summary>The root account's secret on first start (env STRATUS_ROOT_SECRET_ACCESS_KEY); null: a new one.</summary>
    public string? RootSecretAccessKey { get; set; }

    /// <summary>Development only: requests are accepted whatever their signature; the server warns at start.</summary>
    public bool InsecureAnySignature { get; set; }

    /// <summary>Metrics, traces and log capture.</summary>
    public Observability.ObservabilityOptions Observability { get; set; } = new();

    /// <summary>How long invocation logs are kept.</summary>
    public TimeSpan LogRetention { get; set; } = TimeSpan.FromDays(DefaultLogRetentionDays);

    /// <summary>The most log text kept, in MB; beyond it the oldest logs go first.</summary>
    public long LogMaxMegabytes { get; set; } = DefaultLogMaxMegabytes;
    /// <summary>
    /// Whether invocations are metered (usage, invoices, spending caps). Off only to measure what
    /// metering costs: nothing is billed and no cap holds.
    /// </summary>
    public bool Metering { get; set; } = true;

    /// <summary>
    /// Seeds the choice of version for aliases that split invocations by weight, so that a run can be
    /// repeated exactly (tests, benchmarks); unset, each start draws differently.
    /// </summary>
    public int? RoutingSeed { get; set; }

    /// <summary>Prices for invoices and spending caps (<c>--price-plan FILE</c>); Lambda's by default.</summary>
    public Billing.PricePlan PricePlan { get; set; } = new();

    public string Validate()
    {
        if (LogRetention < TimeSpan.FromHours(1) || LogRetention > TimeSpan.FromDays(3650))
        {
            return "--log-retention-days must be between 1 and 3650 (logs are kept at least an hour)";
        }

        if (LogMaxMegabytes is < 1 or > 1_048_576)
        {
            return "--log-max-mb must be between 1 and 1048576";
        }

        if (Observability.Validate() is { Length: > 0 } observability)
        {
            return observability;
        }

        if (Tenancy.TenancyEnvironment.Validate(this) is { Length: > 0 } tenancy)
        {
            return tenancy;
        }

        if (PricePlan.Validate() is { Length: > 0 } plan)
        {
            return plan;
        }

        if (AsyncRetryDelay < TimeSpan.Zero || AsyncRetryDelay > TimeSpan.FromHours(1))
        {
            return "--async-retry-delay must be between 0 and 3600 seconds";
        }

        if (AsyncConcurrency is < 1 or > 1000)
        {
            return "AsyncConcurrency must be between 1 and 1000";
        }

        if (PublicUrl is not null && (!Uri.TryCreate(PublicUrl, UriKind.Absolute, out var publicUrl) || publicUrl.Scheme is not ("http" or "https") || publicUrl.Query.Length > 0))
        {
            return "--public-url must be an absolute http or https URL, e.g. https://functions.example.com";
        }

        if (KeepAlive < TimeSpan.Zero)
        {
            return "--keep-alive must be zero or more seconds";
        }

        if (!Enum.IsDefined(KeepAlivePolicy))
        {
            return "--keep-alive-policy must be adaptive or fixed";
        }

        if (MemoryBudgetMb is < 128)
        {
            return "--memory-budget must be at least 128 MB";
        }

        if (StandbyRuntimes is < 0 or > 64)
        {
            return "--standby-runtimes must be between 0 and 64";
        }

        if (BurstInstances < 1)
        {
            return "--burst must be at least 1";
        }

        if (ConcurrencyLimit < 1)
        {
            return "--concurrency must be at least 1";
        }

        return "";
    }
}
