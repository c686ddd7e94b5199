namespace Stratus.Observability;

/// <summary>
/// Metrics, traces and log capture. Metrics are on (served at <c>/metrics</c> to loopback callers);
/// traces are produced only when something exports them (an OTLP endpoint), so a server without one
/// records no span at all.
/// </summary>
public sealed class ObservabilityOptions
{
    public const int DefaultFunctionLabelLimit = 500;
    public const string OtherFunction = "other";

    /// <summary>Who may scrape <c>/metrics</c>; <see cref="MetricsAccess.Off"/> also stops recording metrics.</summary>
    public MetricsAccess Metrics { get; set; } = MetricsAccess.Loopback;

    /// <summary>
    /// Distinct function label values metrics keep; functions seen after that many share the value
    /// <c>other</c>, so a tenant creating functions cannot grow the scrape without bound.
    /// </summary>
    public int FunctionLabelLimit { get; set; } = DefaultFunctionLabelLimit;

    /// <summary>Where spans are sent with OTLP, e.g. <c>http://127.0.0.1:4318</c>; null: no export, no spans.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>OTLP over <c>http/protobuf</c> (port 4318 by convention) or <c>grpc</c> (4317).</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    /// <summary>
    /// Share of traces recorded and exported (0 to 1): of invocations without a traceparent, and of
    /// those whose caller sampled theirs; a caller that did not sample is never recorded.
    /// </summary>
    public double TraceSampleRatio { get; set; } = 1;

    /// <summary>Whether each invocation's START..REPORT log is stored (off only to measure what it costs).</summary>
    public bool LogCapture { get; set; } = true;

    public string Validate()
    {
        if (!Enum.IsDefined(Metrics))
        {
            return "--metrics must be loopback, open or off";
        }

        if (FunctionLabelLimit is < 1 or > 100_000)
        {
            return "--metrics-function-labels must be between 1 and 100000";
        }

        if (OtlpEndpoint is not null && (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            return "--otlp-endpoint must be an absolute http or https URL, e.g. http://127.0.0.1:4318";
        }

        if (TraceSampleRatio is < 0 or > 1 || double.IsNaN(TraceSampleRatio))
        {
            return "--trace-sample-ratio must be between 0 and 1";
        }

        if (OtlpProtocol is not ("http/protobuf" or "grpc"))
        {
            return "--otlp-protocol must be http/protobuf or grpc";
        }

        return "";
    }
}
