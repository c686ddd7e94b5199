namespace Stratus.Hosting;

/// <summary>How long idle instances are kept (<c>--keep-alive-policy</c>).</summary>
public enum KeepAliveMode
{
    /// <summary>
    /// Each function's keep-alive and pre-warming follow its idle times; the fixed keep-alive until they
    /// are known, or when they show no pattern worth following.
    /// </summary>
    Adaptive,

    /// <summary>The fixed keep-alive for every function.</summary>
    Fixed,
}
