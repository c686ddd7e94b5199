namespace Stratus.Observability;

/// <summary>
/// Who may read <c>/metrics</c>. A Prometheus scraper does not sign its requests, and the metrics
/// show every tenant's functions, so by default only the machine itself may scrape.
/// </summary>
public enum MetricsAccess
{
    /// <summary>Served to callers on a loopback address; others get 403.</summary>
    Loopback,

    /// <summary>Served to anyone who reaches the server (put it behind a network that only the scraper reaches).</summary>
    Open,

    /// <summary>No metrics are recorded and <c>/metrics</c> is not served.</summary>
    Off,
}
