using Stratus.Functions;
using Stratus.Observability.Otlp;

namespace Stratus.Tests.Observability;

/// <summary>What the OTLP encoder writes, read back with protobuf's wire rules: long texts, long messages, grouping.</summary>
public sealed class OtlpTraceEncoderTests
{
    [Fact]
    public void Write_LongTextsAndManySpans_ReadBackWhole()
    {
        var longName = new string('f', 64);
        var first = Function(longName);
        var second = Function("other");
        var error = "Runtime.ExitError: " + new string('é', 150);
        var spans = new InvocationSpan[300];
        for (var i = 0; i < spans.Length; i++)
        {
            spans[i] = new InvocationSpan
            {
                TraceHigh = 0x0102030405060708,
                TraceLow = (ulong)i + 1,
                SpanId = 0x1000 + (ulong)i,
                Function = i % 3 == 0 ? second : first,
                RequestId = Guid.CreateVersion7(),
                Trigger = "queue",
                StartTicks = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero).UtcTicks,
                EndTicks = new DateTimeOffset(2026, 11, 28, 12, 0, 1, TimeSpan.Zero).UtcTicks,
                Ran = i % 2 == 0,
                RunStartTicks = new DateTimeOffset(2026, 11, 28, 12, 0, 0, 500, TimeSpan.Zero).UtcTicks,
                DurationMs = 250,
                InitDurationMs = i % 4 == 0 ? 100 : -1,
                Error = i == 7 ? error : null,
            };
        }

        var writer = new ProtobufWriter();
        writer.Reset();
        OtlpTraceEncoder.Write(writer, spans);
        var decoded = OtlpSpans.Decode(writer.Written);

        var servers = decoded.Where(span => span.Kind == ExportedSpan.Server).ToList();
        Assert.Equal(300, servers.Count);
        Assert.Equal(100, servers.Count(span => span.Name == "other"));
        Assert.All(servers.Where(span => span.Name == longName), span => Assert.Equal(longName, span.Resource["faas.name"]));
        var failed = Assert.Single(servers, span => span.StatusCode == 2);
        Assert.Equal(error, failed.StatusMessage);
        Assert.Equal("0102030405060708" + 8.ToString("x16"), failed.TraceId);
        Assert.Equal(spans[7].RequestId.ToString("D"), failed.Attributes["faas.invocation_id"]);
        Assert.Equal(1_795_867_200_000_000_000UL, servers[0].StartNanos);

        // Every invocation that ran has a run phase; cold ones an init phase before it.
        Assert.Equal(150, decoded.Count(span => span.Name == "run"));
        var init = decoded.Where(span => span.Name == "init").ToList();
        Assert.Equal(75, init.Count);
        Assert.All(init, span => Assert.Equal(1_795_867_200_400_000_000UL, span.StartNanos));
    }

    private static FunctionDefinition Function(string name) => new()
    {
        Name = name,
        Runtime = "nodejs20.x",
        Role = "arn:aws:iam::000000000000:role/test",
        Handler = "index.handler",
        CodeSha256 = "",
        CodeSize = 0,
        RevisionId = "1",
        LastModified = DateTimeOffset.UnixEpoch,
    };
}
