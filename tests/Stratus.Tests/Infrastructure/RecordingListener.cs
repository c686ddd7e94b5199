using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Stratus.Tests.Infrastructure;

/// <summary>
/// An HTTP listener on 127.0.0.1 (a small Kestrel server on a port the kernel picks) that functions
/// report to: each POSTed JSON body is kept, in order, for the test to read as it arrives. Waiting on it
/// is waiting on an event, not on the clock.
/// </summary>
public sealed class RecordingListener : IAsyncDisposable
{
    private readonly Channel<JsonNode> _reports = Channel.CreateUnbounded<JsonNode>();
    private WebApplication _app = null!;
    private TaskCompletionSource _gate = Open();

    private RecordingListener()
    {
    }

    public int Port { get; private set; }

    public static async Task<RecordingListener> StartAsync()
    {
        var listener = new RecordingListener();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/", listener.ReplyAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        listener._app = app;
        listener.Port = new Uri(address).Port;
        return listener;
    }

    /// <summary>The next report, or a timeout after <paramref name="timeout"/> (a generous bound, not a timing).</summary>
    public async Task<JsonNode> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        return await _reports.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>Holds every reply from now on, so reporting functions stay busy until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task ReplyAsync(HttpContext context)
    {
        var gate = _gate.Task;
        var node = await JsonNode.ParseAsync(context.Request.Body);
        if (node is not null)
        {
            _reports.Writer.TryWrite(node);
        }

        await gate;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
