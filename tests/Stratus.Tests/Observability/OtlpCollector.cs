using System.Buffers.Binary;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Stratus.Tests.Observability;

/// <summary>
/// A stand-in OTLP collector on 127.0.0.1 (Kestrel): <c>POST /v1/traces</c> over HTTP/1.1, or, for
/// gRPC, <c>TraceService/Export</c> over cleartext HTTP/2. It decodes every export it takes into
/// spans, and lets a test wait for the spans it expects (an event, not the clock).
/// </summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    private const string GrpcPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private readonly List<ExportedSpan> _spans = [];
    private readonly List<(Func<IReadOnlyList<ExportedSpan>, bool> Done, TaskCompletionSource Signal)> _waiters = [];
    private readonly TaskCompletionSource _attempted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _grpc;
    private readonly int _failWith;
    private WebApplication _app = null!;

    private OtlpCollector(bool grpc, int failWith)
    {
        _grpc = grpc;
        _failWith = failWith;
    }

    public string Endpoint { get; private set; } = "";

    /// <summary>Exports taken: path and content type of each.</summary>
    public List<(string Path, string? ContentType)> Exports { get; } = [];

    /// <summary>Completes when the first export arrives, whatever the answer.</summary>
    public Task Attempted => _attempted.Task;

    /// <param name="failWith">When not 0, every export is refused with this HTTP status (a collector that is down).</param>
    public static async Task<OtlpCollector> StartAsync(bool grpc = false, int failWith = 0)
    {
        var collector = new OtlpCollector(grpc, failWith);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        app.MapPost(grpc ? GrpcPath : "/v1/traces", collector.TakeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        collector._app = app;
        collector.Endpoint = address.TrimEnd('/');
        return collector;
    }

    /// <summary>Every span taken so far once <paramref name="done"/> holds for them (a generous bound, not a timing).</summary>
    public async Task<List<ExportedSpan>> WaitForAsync(Func<IReadOnlyList<ExportedSpan>, bool> done)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_spans)
        {
            if (done(_spans))
            {
                return [.. _spans];
            }

            _waiters.Add((done, signal));
        }

        await signal.Task.WaitAsync(TimeSpan.FromSeconds(30));
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    private async Task TakeAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        _attempted.TrySetResult();
        if (_failWith != 0)
        {
            context.Response.StatusCode = _failWith;
            return;
        }

        var message = body.ToArray().AsMemory();
        if (_grpc)
        {
            // One uncompressed gRPC frame.
            Assert.Equal(0, message.Span[0]);
            Assert.Equal(message.Length - 5, (int)BinaryPrimitives.ReadUInt32BigEndian(message.Span[1..]));
            message = message[5..];
        }

        var spans = OtlpSpans.Decode(message.Span);
        lock (_spans)
        {
            Exports.Add((context.Request.Path, context.Request.ContentType));
            _spans.AddRange(spans);
            foreach (var waiter in _waiters.ToList())
            {
                if (waiter.Done(_spans))
                {
                    _waiters.Remove(waiter);
                    waiter.Signal.TrySetResult();
                }
            }
        }

        if (_grpc)
        {
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            // An empty ExportTraceServiceResponse, framed.
            await context.Response.Body.WriteAsync(new byte[5]);
            return;
        }

        context.Response.ContentType = "application/x-protobuf";
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
