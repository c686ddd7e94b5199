using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Functions;

namespace Stratus.Execution;

/// <summary>
/// The Lambda Runtime API (2018-06-01) for one instance, on a loopback port of its own: a runtime
/// can only ever address its own invocations. A bare Kestrel server with no middleware keeps the
/// hop between Stratus and the runtime cheap.
/// </summary>
internal sealed class RuntimeApiServer : IHttpApplication<HttpContext>, IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";
    private static readonly byte[] Accepted = """{"status":"OK"}"""u8.ToArray();

    private readonly IRuntimeApiHandler _handler;
    private readonly KestrelServer _server;

    private RuntimeApiServer(IRuntimeApiHandler handler, KestrelServer server)
    {
        _handler = handler;
        _server = server;
    }

    public int Port { get; private set; }

    public static async Task<RuntimeApiServer> StartAsync(IRuntimeApiHandler handler, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        var options = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = services };
        options.Limits.MaxRequestBodySize = null;
        options.Limits.KeepAliveTimeout = TimeSpan.FromDays(1);
        options.Limits.MinRequestBodyDataRate = null;
        options.Listen(IPAddress.Loopback, 0);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        var server = new KestrelServer(Options.Create(options), transport, loggerFactory);
        var api = new RuntimeApiServer(handler, server);
        await server.StartAsync(api, CancellationToken.None);
        var address = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
        api.Port = new Uri(address).Port;
        return api;
    }

    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
    }

    public async Task ProcessRequestAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            await WriteStatus(context, 404, "UnknownPath", "Unknown path");
            return;
        }

        var rest = path.AsSpan(Prefix.Length);
        if (rest.SequenceEqual("invocation/next") && HttpMethods.IsGet(request.Method))
        {
            await NextAsync(context);
        }
        else if (rest.SequenceEqual("init/error") && HttpMethods.IsPost(request.Method))
        {
            var body = await ReadBodyAsync(request);
            _handler.InitError(body ?? ReadOnlyMemory<byte>.Empty, request.Headers["Lambda-Runtime-Function-Error-Type"]);
            await WriteAccepted(context);
        }
        else if (rest.StartsWith("invocation/") && HttpMethods.IsPost(request.Method))
        {
            await CompleteAsync(context, rest["invocation/".Length..].ToString());
        }
        else
        {
            await WriteStatus(context, 404, "UnknownPath", "Unknown path");
        }
    }

    private async Task NextAsync(HttpContext context)
    {
        var next = await _handler.NextAsync(context.RequestAborted);
        if (next is null)
        {
            // Shutting down: the runtime's connection is closed and its process is stopped.
            context.Abort();
            return;
        }

        var response = context.Response;
        var invocation = next.Invocation;
        var headers = response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = invocation.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = next.DeadlineMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = next.FunctionArn;
        headers["Lambda-Runtime-Trace-Id"] = next.TraceId;
        if (invocation.ClientContext is { } clientContext)
        {
            headers["Lambda-Runtime-Client-Context"] = clientContext;
        }

        response.ContentType = "application/json";
        response.ContentLength = invocation.Payload.Length;
        await response.Body.WriteAsync(invocation.Payload);
    }

    private async Task CompleteAsync(HttpContext context, string rest)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var kind = slash < 0 ? "" : rest[(slash + 1)..];
        if (slash <= 0 || (kind != "response" && kind != "error"))
        {
            await WriteStatus(context, 404, "UnknownPath", "Unknown path");
            return;
        }

        var requestId = rest[..slash];
        var body = await ReadBodyAsync(context.Request);
        if (body is null)
        {
            await _handler.ResponseTooLargeAsync(requestId);
            await WriteStatus(context, 413, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({FunctionLimits.MaxSyncPayloadBytes} bytes).");
            return;
        }

        var errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
        var status = await _handler.CompleteAsync(requestId, body.Value, errorType.Length == 0 ? null : errorType, kind == "error");
        switch (status)
        {
            case 202:
                await WriteAccepted(context);
                break;
            case 403:
                await WriteStatus(context, 403, "InvalidStateTransition", "Transition from the current state is not allowed.");
                break;
            default:
                await WriteStatus(context, 400, "InvalidRequestID", "Invalid request ID");
                break;
        }
    }

    /// <summary>Reads the body; null when it is over the 6 MB payload limit.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request)
    {
        const int limit = FunctionLimits.MaxSyncPayloadBytes;
        if (request.ContentLength is > limit)
        {
            return null;
        }

        var writer = new ArrayBufferWriter<byte>(request.ContentLength is { } length and > 0 ? (int)length : 256);
        while (true)
        {
            var memory = writer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory);
            if (read == 0)
            {
                return writer.WrittenMemory;
            }

            writer.Advance(read);
            if (writer.WrittenCount > limit)
            {
                return null;
            }
        }
    }

    private static Task WriteAccepted(HttpContext context)
    {
        context.Response.StatusCode = 202;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = Accepted.Length;
        return context.Response.Body.WriteAsync(Accepted).AsTask();
    }

    private static Task WriteStatus(HttpContext context, int status, string errorType, string message)
    {
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"errorMessage":"{{message}}","errorType":"{{errorType}}"}""");
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _server.StopAsync(stop.Token);
        _server.Dispose();
    }
}
