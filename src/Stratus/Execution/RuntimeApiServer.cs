using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Stratus.Execution;

/// <summary>
/// The Lambda Runtime API (2018-06-01) for one instance, on a loopback port of its own: a runtime
/// can only ever address its own invocations.
/// </summary>
/// <remarks>
/// This hop is paid twice on every invocation, so it is built for few thread switches rather than
/// on a general-purpose server: each connection has a thread of its own blocked in a receive, so a
/// runtime's reply wakes exactly one thread; the thread that assigns an invocation writes the event
/// to the runtime itself; and when a runtime pipelines its reply with the next
/// <c>invocation/next</c>, the 202 and the next event leave in one write.
/// </remarks>
internal sealed class RuntimeApiServer : IDisposable
{
    /// <summary>A runtime needs one connection, perhaps two; more are refused.</summary>
    private const int MaxConnections = 4;

    private readonly IRuntimeApiHandler _handler;
    private readonly ILogger _logger;
    private readonly Socket _listener;
    private readonly Socket? _localListener;
    private readonly int? _peerUid;
    private readonly ReplyPipe? _replyPipe;

    // Where loopback TCP connections are listed: the table of the namespace the port is in.
    private readonly string _tcpTable;
    private readonly Lock _lock = new();
    private readonly List<RuntimeApiConnection> _connections = [];
    private bool _disposed;
    private volatile bool _connected;
    private IReadOnlyList<int>? _cpus;

    /// <summary>Whether a runtime has connected since the API opened (a standby runtime connects once it has booted).</summary>
    public bool Connected => _connected;

    /// <summary>Where the threads serving this API should run (null: anywhere), for connections open now and later.</summary>
    public void PlaceOn(IReadOnlyList<int>? cpus)
    {
        lock (_lock)
        {
            _cpus = cpus;
            foreach (var connection in _connections)
            {
                connection.PlaceOn(cpus);
            }
        }
    }

    private RuntimeApiServer(IRuntimeApiHandler handler, ILogger logger, Socket listener, Socket? localListener, string? socketPath, int? peerUid, string tcpTable, ReplyPipe? replyPipe)
    {
        _replyPipe = replyPipe;
        _tcpTable = tcpTable;
        _peerUid = peerUid;
        _handler = handler;
        _logger = logger;
        _listener = listener;
        _localListener = localListener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        SocketPath = socketPath;
    }

    public int Port { get; }

    /// <summary>
    /// The same API on a Unix socket, for the bootstraps that ship with Stratus: cheaper per call than
    /// loopback TCP. Null when the path would be too long for a socket address.
    /// </summary>
    public string? SocketPath { get; }

    /// <summary>The pipe a node runtime may ask to have its answers sent through (see <see cref="ReplyPipe"/>), if any.</summary>
    public string? ReplyPipePath => _replyPipe?.Path;

    /// <summary>The longest path a Unix socket address holds on Linux, less its terminating NUL.</summary>
    private const int MaxSocketPathBytes = 107;

    /// <summary>Listens on a loopback port and, if <paramref name="socketPath"/> fits, on that Unix socket.</summary>
    /// <param name="peerUid">When set, connections from processes of any other user are refused.</param>
    /// <param name="networkOf">When set, the loopback port is opened in the (own) network namespace of this process.</param>
    /// <param name="replyPipe">A pipe the runtime may have its answers sent through; the server owns it from here on.</param>
    public static RuntimeApiServer Start(IRuntimeApiHandler handler, ILogger logger, string? socketPath = null, int? peerUid = null, int? networkOf = null, ReplyPipe? replyPipe = null)
    {
        var listener = networkOf is { } pid
            ? Sandbox.NetworkNamespace.ListenInside(pid, MaxConnections)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Socket? local = null;
        try
        {
            if (networkOf is null)
            {
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(MaxConnections);
            }

            if (socketPath is not null && System.Text.Encoding.UTF8.GetByteCount(socketPath) <= MaxSocketPathBytes)
            {
                File.Delete(socketPath);
                local = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                local.Bind(new UnixDomainSocketEndPoint(socketPath));
                local.Listen(MaxConnections);
            }
            else
            {
                socketPath = null;
            }
        }
        catch
        {
            listener.Dispose();
            local?.Dispose();
            replyPipe?.Dispose();
            throw;
        }

        var server = new RuntimeApiServer(handler, logger, listener, local, socketPath, peerUid, networkOf is { } owner ? $"/proc/{owner}/net/tcp" : "/proc/net/tcp", replyPipe);
        _ = server.AcceptLoopAsync(listener);
        if (local is not null)
        {
            _ = server.AcceptLoopAsync(local);
        }

        return server;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_peerUid is { } uid && PeerUid.Of(socket, _tcpTable) != uid)
            {
                // Another instance, or anything else on this machine: not this instance's API.
                socket.Dispose();
                continue;
            }

            RuntimeApiConnection? connection = null;
            lock (_lock)
            {
                if (!_disposed && _connections.Count < MaxConnections)
                {
                    connection = new RuntimeApiConnection(socket, _handler, _logger, Remove, _replyPipe);
                    connection.PlaceOn(_cpus);
                    _connections.Add(connection);
                    _connected = true;
                }
            }

            if (connection is null)
            {
                socket.Dispose();
                continue;
            }

            var thread = new Thread(static state => ((RuntimeApiConnection)state!).Run(), maxStackSize: 256 * 1024)
            {
                IsBackground = true,
                Name = "Stratus runtime API",
            };
            thread.UnsafeStart(connection);
        }
    }

    /// <summary>The kernel's ids of the threads serving the open connections.</summary>
    public int[] ThreadIds()
    {
        lock (_lock)
        {
            return [.. _connections.Select(c => c.ThreadId).Where(id => id > 0)];
        }
    }

    private void Remove(RuntimeApiConnection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    public void Dispose()
    {
        RuntimeApiConnection[] connections;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connections = [.. _connections];
        }

        _listener.Dispose();
        if (_localListener is not null)
        {
            _localListener.Dispose();
            try
            {
                File.Delete(SocketPath!);
            }
            catch (IOException)
            {
            }
        }

        foreach (var connection in connections)
        {
            connection.Close();
        }

        // Last: the runtime's read of the pipe ends once the server holds it no more.
        _replyPipe?.Dispose();
    }
}
