using Stratus.Hosting;
using Stratus.Observability;

namespace Stratus.Tests.Observability;

public sealed class ObservabilityOptionsTests
{
    [Theory]
    [InlineData(0, null, "http/protobuf", 1.0, "--metrics-function-labels must be between 1 and 100000")]
    [InlineData(10, "collector:4318", "http/protobuf", 1.0, "--otlp-endpoint must be an absolute http or https URL, e.g. http://127.0.0.1:4318")]
    [InlineData(10, "http://127.0.0.1:4317", "udp", 1.0, "--otlp-protocol must be http/protobuf or grpc")]
    [InlineData(10, null, "grpc", 1.5, "--trace-sample-ratio must be between 0 and 1")]
    [InlineData(10, "http://127.0.0.1:4317", "grpc", 0.25, "")]
    public void Validate_Settings_SaysWhatToFix(int labels, string? endpoint, string protocol, double ratio, string expected)
    {
        var options = new StratusOptions
        {
            Observability = new ObservabilityOptions { FunctionLabelLimit = labels, OtlpEndpoint = endpoint, OtlpProtocol = protocol, TraceSampleRatio = ratio },
        };

        Assert.Equal(expected, options.Validate());
    }
}
