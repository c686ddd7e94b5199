using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace Stratus.Observability.Otlp;

/// <summary>
/// Sends traced invocations to an OTLP collector, over <c>http/protobuf</c> (<c>POST /v1/traces</c>)
/// or <c>grpc</c> (<c>TraceService/Export</c> over HTTP/2). An invocation costs its caller one copy
/// into a buffer; one export at a time, at least every 100 ms or as soon as 2,048 invocations wait,
/// turns a whole buffer into spans while the other fills.
/// </summary>
/// <remarks>
/// OpenTelemetry's SDK makes an <see cref="System.Diagnostics.Activity"/> per span (ids as hex strings,
/// tags as linked nodes, a sampler call, the current-activity async local), and at thousands of
/// invocations a second, two or three spans each, that cost a fifth of the server's throughput.
/// Here the spans exist only as they are written, on this exporter's own thread. Telemetry is best
/// effort: while a buffer is full, or an export fails, invocations are dropped from traces and counted.
/// </remarks>
internal sealed partial class TraceExporter : IDisposable
{
    private const int BatchSize = 2048;
    private const int Capacity = 16 * 1024;
    private const string GrpcPath = "opentelemetry.proto.collector.trace.v1.TraceService/Export";
    private const int GrpcPrefix = 5;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(10);
    private static readonly MediaTypeHeaderValue Protobuf = new("application/x-protobuf");
    private static readonly MediaTypeHeaderValue Grpc = new("application/grpc");

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _due = new(0);
    private readonly ProtobufWriter _writer = new();
    private readonly HttpClient _http;
    private readonly Uri _uri;
    private readonly bool _grpc;
    private readonly ILogger _logger;
    private InvocationSpan[] _filling = new InvocationSpan[Capacity];
    private InvocationSpan[] _spare = new InvocationSpan[Capacity];
    private int _count;
    private long _dropped;
    private long _lost;
    private bool _failing;

    public TraceExporter(ObservabilityOptions options, ILogger<TraceExporter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var endpoint = options.OtlpEndpoint ?? throw new ArgumentException("an OTLP endpoint is required", nameof(options));
        _grpc = options.OtlpProtocol == "grpc";
        // Over HTTP the collector's traces path follows the endpoint; gRPC names the service's method.
        _uri = new Uri(new Uri(endpoint.TrimEnd('/') + "/"), _grpc ? GrpcPath : "v1/traces");
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = ExportTimeout };
        _logger = logger;
    }

    /// <summary>Invocations dropped from traces because the buffer was full or their export failed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped) + Interlocked.Read(ref _lost);

    /// <summary>Queues a traced invocation for export; never blocks on the collector.</summary>
    public void Add(in InvocationSpan span)
    {
        bool due;
        lock (_gate)
        {
            if (_count == _filling.Length)
            {
                _dropped++;
                return;
            }

            _filling[_count++] = span;
            due = _count == BatchSize;
        }

        if (due)
        {
            _due.Release();
        }
    }

    /// <summary>Exports until <paramref name="stopping"/> is cancelled, then sends what is left.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _due.WaitAsync(Interval, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }

            await ExportAsync().ConfigureAwait(false);
        }

        // What invocations finished before the stop still goes out, for as long as one export may take.
        await ExportAsync().ConfigureAwait(false);
    }

    /// <summary>Sends every invocation queued so far, as one export.</summary>
    private async Task ExportAsync()
    {
        InvocationSpan[] batch;
        int count;
        lock (_gate)
        {
            if (_count == 0)
            {
                return;
            }

            batch = _filling;
            count = _count;
            _filling = _spare;
            _count = 0;
        }

        try
        {
            _writer.Reset(_grpc ? GrpcPrefix : 0);
            OtlpTraceEncoder.Write(_writer, batch.AsSpan(0, count));
            await SendAsync(count).ConfigureAwait(false);
        }
        finally
        {
            // Let go of what the spans referred to (request ids, results' metrics) before reuse.
            Array.Clear(batch, 0, count);
            _spare = batch;
        }
    }

    // Each export is bounded by the client's timeout, also the last one at a stop.
    private async Task SendAsync(int invocations)
    {
        var body = _writer.Written;
        if (_grpc)
        {
            // gRPC's frame: not compressed, then the message's length.
            var prefix = _writer.Start(GrpcPrefix);
            prefix[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)(body.Count - GrpcPrefix));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ByteArrayContent(body.Array!, body.Offset, body.Count) };
        request.Content.Headers.ContentType = _grpc ? Grpc : Protobuf;
        if (_grpc)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        }

        string? failure;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            failure = !response.IsSuccessStatusCode
                ? $"HTTP {(int)response.StatusCode}"
                : _grpc && GrpcStatus(response) is { } status && status != "0" ? $"grpc-status {status}" : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            failure = ex.Message;
        }

        Report(invocations, failure);
    }

    private static string? GrpcStatus(HttpResponseMessage response) =>
        response.TrailingHeaders.TryGetValues("grpc-status", out var trailing) ? trailing.FirstOrDefault()
        : response.Headers.TryGetValues("grpc-status", out var leading) ? leading.FirstOrDefault()
        : null;

    // One warning when exports start failing, one line when they work again: not one per export.
    private void Report(int invocations, string? failure)
    {
        if (failure is not null)
        {
            Interlocked.Add(ref _lost, invocations);
            if (!_failing)
            {
                _failing = true;
                Log.ExportFailed(_logger, invocations, _uri, failure);
            }

            return;
        }

        if (_failing)
        {
            _failing = false;
            Log.ExportRecovered(_logger, _uri, Dropped);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _due.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(23, LogLevel.Warning, "Could not export the spans of {Count} invocations to {Endpoint} ({Reason}); traces are dropped until an export succeeds")]
        public static partial void ExportFailed(ILogger logger, int count, Uri endpoint, string reason);

        [LoggerMessage(24, LogLevel.Information, "Exporting spans to {Endpoint} again; {Dropped} invocations were left out of traces so far")]
        public static partial void ExportRecovered(ILogger logger, Uri endpoint, long dropped);
    }
}
