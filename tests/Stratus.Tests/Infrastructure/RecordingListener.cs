using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Stratus.Tests.Infrastructure;

/// <summary>
/// An HTTP listener on 127.0.0.1 that functions report to: each POSTed JSON body is kept, in order, for
/// the test to read as it arrives. Waiting on it is waiting on an event, not on the clock.
/// </summary>
public sealed class RecordingListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<JsonNode> _reports = Channel.CreateUnbounded<JsonNode>();
    private readonly Task _loop;
    private TaskCompletionSource _gate = Open();

    public RecordingListener()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

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

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = ReplyAsync(context, _gate.Task);
        }
    }

    private async Task ReplyAsync(HttpListenerContext context, Task gate)
    {
        using (var reader = new StreamReader(context.Request.InputStream))
        {
            var node = JsonNode.Parse(await reader.ReadToEndAsync());
            if (node is not null)
            {
                _reports.Writer.TryWrite(node);
            }
        }

        await gate;
        context.Response.StatusCode = 204;
        context.Response.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Release();
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
