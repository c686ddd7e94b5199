using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stratus.Runtime;

/// <summary>
/// A client of the Lambda Runtime API (2018-06-01) over one kept-alive HTTP/1.1 connection. It speaks
/// only the little HTTP the API needs (Content-Length bodies, synchronous calls) because a general
/// HTTP client costs tens of milliseconds of start-up, which would be paid on every cold start.
/// </summary>
internal sealed class RuntimeApiClient : IDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;

    // The Runtime API refuses responses over 6 MB; events are bounded the same way.
    private const int MaxBodyBytes = 6 * 1024 * 1024 + 1024;

    private readonly Socket _socket;
    private readonly byte[] _nextRequest;
    private readonly string _hostHeader;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private RuntimeApiClient(Socket socket, string hostHeader)
    {
        _socket = socket;
        _hostHeader = hostHeader;
        _nextRequest = Encoding.ASCII.GetBytes($"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: {hostHeader}\r\n\r\n");
    }

    /// <summary>Connects to the API at <paramref name="address"/> (<c>host:port</c>, as <c>AWS_LAMBDA_RUNTIME_API</c> gives it).</summary>
    public static RuntimeApiClient Connect(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            throw new FormatException($"AWS_LAMBDA_RUNTIME_API must be host:port, not '{address}'");
        }

        var host = address[..colon].Trim('[', ']');
        var ip = IPAddress.TryParse(host, out var literal) ? literal : Dns.GetHostAddresses(host)[0];
        // A socket of the address's own family: a dual-mode one would reach an IPv4 API as IPv6, and
        // the API, which checks who connects through the kernel's table of IPv4 connections, would refuse it.
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(ip, port));
        return new RuntimeApiClient(socket, address);
    }

    /// <summary>Blocks until the next event arrives.</summary>
    public InvocationRequest Next()
    {
        _socket.Send(_nextRequest);
        var response = ReadResponse();
        if (response.Status != 200 || response.RequestId is null)
        {
            throw new InvalidOperationException($"The Runtime API answered {response.Status} to invocation/next");
        }

        return new InvocationRequest
        {
            RequestId = response.RequestId,
            DeadlineMs = response.DeadlineMs,
            InvokedFunctionArn = response.FunctionArn ?? "",
            TraceId = response.TraceId ?? "",
            ClientContext = response.ClientContext,
            Body = response.Body,
        };
    }

    /// <summary>Posts the result of invocation <paramref name="requestId"/>; returns the API's status.</summary>
    public int PostResponse(string requestId, ReadOnlySpan<byte> body) =>
        Post($"/2018-06-01/runtime/invocation/{Uri.EscapeDataString(requestId)}/response", null, body);

    /// <summary>Posts the error of invocation <paramref name="requestId"/>, or an init error when it is null.</summary>
    public int PostError(string? requestId, string errorType, ReadOnlySpan<byte> body) =>
        Post(requestId is null ? "/2018-06-01/runtime/init/error" : $"/2018-06-01/runtime/invocation/{Uri.EscapeDataString(requestId)}/error", errorType, body);

    public void Dispose() => _socket.Dispose();

    private int Post(string path, string? errorType, ReadOnlySpan<byte> body)
    {
        var head = new StringBuilder(160).Append("POST ").Append(path).Append(" HTTP/1.1\r\nHost: ").Append(_hostHeader)
            .Append("\r\nContent-Type: application/json\r\nContent-Length: ").Append(body.Length).Append("\r\n");
        if (errorType is not null)
        {
            head.Append("Lambda-Runtime-Function-Error-Type: ").Append(errorType).Append("\r\n");
        }

        head.Append("\r\n");
        var headLength = Encoding.ASCII.GetByteCount(head.ToString());
        var message = ArrayPool<byte>.Shared.Rent(headLength + body.Length);
        try
        {
            Encoding.ASCII.GetBytes(head.ToString(), message);
            body.CopyTo(message.AsSpan(headLength));
            _socket.Send(message.AsSpan(0, headLength + body.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }

        return ReadResponse().Status;
    }

    private Response ReadResponse()
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end - _start >= MaxHeaderBytes)
            {
                throw new InvalidOperationException("The Runtime API sent an oversized header");
            }

            Fill(_end - _start + 1);
        }

        var head = _buffer.AsSpan(_start, headerEnd);
        var response = ParseHead(head);
        _start += headerEnd + 4;
        if (response.ContentLength > MaxBodyBytes)
        {
            throw new InvalidOperationException("The Runtime API sent an oversized body");
        }

        while (_end - _start < response.ContentLength)
        {
            Fill(response.ContentLength);
        }

        response.Body = _buffer.AsSpan(_start, response.ContentLength).ToArray();
        _start += response.ContentLength;
        return response;
    }

    /// <summary>Reads from the socket until at least <paramref name="wanted"/> unread bytes are buffered (or more arrive).</summary>
    private void Fill(int wanted)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (wanted > _buffer.Length || _end == _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(wanted, _buffer.Length * 2));
        }

        var read = _socket.Receive(_buffer.AsSpan(_end));
        if (read == 0)
        {
            throw new IOException("The Runtime API closed the connection");
        }

        _end += read;
    }

    private static Response ParseHead(ReadOnlySpan<byte> head)
    {
        var response = new Response();
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        // "HTTP/1.1 200 OK"
        if (statusLine.Length < 12 || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
        {
            throw new InvalidOperationException("The Runtime API sent a malformed status line");
        }

        response.Status = status;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                response.ContentLength = Utf8Parser.TryParse(value, out int length, out _) && length >= 0 ? length : throw new InvalidOperationException("Bad Content-Length from the Runtime API");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Aws-Request-Id"u8))
            {
                response.RequestId = Encoding.UTF8.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Deadline-Ms"u8))
            {
                _ = Utf8Parser.TryParse(value, out response.DeadlineMs, out _);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Invoked-Function-Arn"u8))
            {
                response.FunctionArn = Encoding.UTF8.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Trace-Id"u8))
            {
                response.TraceId = Encoding.UTF8.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Client-Context"u8))
            {
                response.ClientContext = Encoding.UTF8.GetString(value);
            }
        }

        return response;
    }

    private sealed class Response
    {
        public int Status;
        public int ContentLength;
        public string? RequestId;
        public long DeadlineMs;
        public string? FunctionArn;
        public string? TraceId;
        public string? ClientContext;
        public byte[] Body = [];
    }
}
