using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Stratus.Functions;

namespace Stratus.Execution;

/// <summary>
/// One runtime's connection to its Runtime API: a minimal HTTP/1.1 server (keep-alive, pipelining,
/// Content-Length and chunked bodies, <c>Expect: 100-continue</c>) run by a thread of its own in
/// blocking receives. Every input is bounded: request heads, line lengths and bodies.
/// </summary>
internal sealed partial class RuntimeApiConnection
{
    private const int MaxHeadBytes = 32 * 1024;
    private const int MaxLineBytes = 1024;
    private const int MaxBufferBytes = 64 * 1024;

    /// <summary>Larger events are written from the thread pool, not by the thread that assigned them.</summary>
    private const int MaxInlineEventBytes = 64 * 1024;

    private static readonly byte[] Accepted = "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}"u8.ToArray();
    private static readonly byte[] Continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();
    private static readonly byte[] NoContent = "HTTP/1.1 204 No Content\r\n\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly IRuntimeApiHandler _handler;
    private readonly ILogger _logger;
    private readonly Action<RuntimeApiConnection> _onClosed;
    private readonly ReplyPipe? _replyPipe;

    // Set once the runtime asks for it (before anything is answered): every answer goes through the pipe.
    private bool _answersThroughPipe;
    private readonly Lock _sendLock = new();
    private readonly object _answerGate = new();
    private bool _awaitingAnswer;
    private readonly List<ArraySegment<byte>> _replies = [];
    private readonly List<Outcome> _outcomes = [];
    private byte[] _buffer = new byte[8 * 1024];
    private int _start;
    private int _end;
    private volatile bool _closed;
    private volatile IReadOnlyList<int>? _wantedCpus;
    private IReadOnlyList<int>? _appliedCpus;

    /// <summary>Where the thread serving this connection should run; that thread moves when its runtime next sends.</summary>
    public void PlaceOn(IReadOnlyList<int>? cpus) => _wantedCpus = cpus;

    /// <summary>The kernel's id of the thread serving this connection (0 until it runs).</summary>
    public int ThreadId { get; private set; }

    public RuntimeApiConnection(Socket socket, IRuntimeApiHandler handler, ILogger logger, Action<RuntimeApiConnection> onClosed, ReplyPipe? replyPipe = null)
    {
        _replyPipe = replyPipe;
        _socket = socket;
        _handler = handler;
        _logger = logger;
        _onClosed = onClosed;
        if (socket.ProtocolType == ProtocolType.Tcp)
        {
            socket.NoDelay = true;
            socket.SendBufferSize = 4 * MaxInlineEventBytes;
        }

        // A runtime that stops reading cannot hold a sending thread for long.
        socket.SendTimeout = 30_000;
    }

    private enum Body
    {
        Ok,
        TooLarge,
        Malformed,
        Closed,
    }

    /// <summary>What a request asks for, read from its path (without its query).</summary>
    private enum Route
    {
        Unknown,
        Next,
        InitError,

        /// <summary><c>invocation/{id}/response</c> or <c>invocation/{id}/error</c>.</summary>
        Completion,

        /// <summary>A node runtime's request to have its answers sent through the slot's <see cref="ReplyPipe"/>.</summary>
        ReplyPipe,
    }

    private struct Head
    {
        public bool IsGet;
        public bool IsPost;
        public Route Route;

        /// <summary>For <see cref="Route.Completion"/>: the invocation's id, and whether an error is posted.</summary>
        public string? RequestId;
        public bool PostsError;
        public long ContentLength;
        public bool Chunked;
        public bool ExpectContinue;
        public bool Close;
        public string? ErrorType;
    }

    /// <summary>Serves requests until the runtime hangs up or the connection is closed.</summary>
    public void Run()
    {
        try
        {
            ThreadId = CpuPlacement.CurrentThreadId();
            while (!_closed && Serve())
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            Log.ConnectionLost(_logger, ex.Message);
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_logger, ex);
        }
        finally
        {
            // Outcomes already taken from the instance are delivered, whatever happened to the runtime.
            try
            {
                Flush();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
            {
            }

            DeliverOutcomes();
            CloseGracefully();
            _onClosed(this);
        }
    }

    public void Close()
    {
        lock (_sendLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        Answered();
    }

    /// <summary>
    /// Closes after the last reply without losing it: closing with unread bytes would reset the
    /// connection and could discard the reply, so what the runtime still sends is read (bounded) first.
    /// </summary>
    private void CloseGracefully()
    {
        if (_closed)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            _socket.ReceiveTimeout = 1000;
            for (var drained = 0; drained < 1024 * 1024;)
            {
                var read = _socket.Receive(_buffer);
                if (read == 0)
                {
                    break;
                }

                drained += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        Close();
    }

    /// <summary>Reads and answers one request; false when the connection is done.</summary>
    private bool Serve()
    {
        if (!ReadHead(out var head))
        {
            return false;
        }

        // Replies go out in request order: one behind a pending invocation/next waits for it.
        lock (_answerGate)
        {
            while (_awaitingAnswer)
            {
                Monitor.Wait(_answerGate);
            }
        }

        if (_closed)
        {
            return false;
        }

        if (head.IsGet && head.Route == Route.ReplyPipe && _replyPipe is not null && !_answersThroughPipe)
        {
            var body = ReadBody(head, out _);
            if (body != Body.Ok)
            {
                return Refuse(body);
            }

            // This answer already goes through the pipe, as every one after it.
            _answersThroughPipe = true;
            Reply(NoContent);
        }
        else if (head.IsGet && head.Route == Route.Next)
        {
            var body = ReadBody(head, out _);
            if (body != Body.Ok)
            {
                return Refuse(body);
            }

            Next();
        }
        else if (head.IsPost && head.Route == Route.InitError)
        {
            var body = ReadBody(head, out var bytes);
            if (body != Body.Ok)
            {
                return Refuse(body);
            }

            _handler.InitError(bytes!, head.ErrorType);
            Reply(Accepted);
        }
        else if (head.IsPost && head.Route == Route.Completion)
        {
            var requestId = head.RequestId!;
            var body = ReadBody(head, out var bytes);
            if (body == Body.TooLarge && _handler.ResponseTooLarge(requestId) is { } tooLarge)
            {
                _outcomes.Add(tooLarge);
            }

            if (body != Body.Ok)
            {
                return Refuse(body);
            }

            var status = _handler.Complete(requestId, bytes!, head.ErrorType, head.PostsError, out var outcome);
            if (outcome is { } done)
            {
                _outcomes.Add(done);
            }

            Reply(status switch
            {
                202 => Accepted,
                403 => Error(403, "InvalidStateTransition", "Transition from the current state is not allowed."),
                _ => Error(400, "InvalidRequestID", "Invalid request ID"),
            });
        }
        else
        {
            var body = ReadBody(head, out _);
            if (body != Body.Ok)
            {
                return Refuse(body);
            }

            Reply(Error(404, "UnknownPath", "Unknown path"));
        }

        if (head.Close)
        {
            return false;
        }

        // Nothing more has arrived: send now. Otherwise the replies wait to leave with the next ones.
        if (_start == _end)
        {
            SendPending();
        }

        return true;
    }

    private bool Refuse(Body body)
    {
        if (body == Body.TooLarge)
        {
            Reply(Error(413, "RequestEntityTooLarge", $"Exceeded maximum allowed payload size ({FunctionLimits.MaxSyncPayloadBytes} bytes).", closing: true));
        }
        else if (body == Body.Malformed)
        {
            Reply(Error(400, "InvalidRequest", "Malformed request body", closing: true));
        }

        return false;
    }

    /// <summary>Reads the route from a path as sent; only a completion's request id becomes a string.</summary>
    private static Route RouteOf(ReadOnlySpan<byte> path, out string? requestId, out bool postsError)
    {
        requestId = null;
        postsError = false;
        if (!path.StartsWith("/2018-06-01/runtime/"u8))
        {
            return Route.Unknown;
        }

        var rest = path["/2018-06-01/runtime/"u8.Length..];
        if (rest.SequenceEqual("invocation/next"u8))
        {
            return Route.Next;
        }

        if (rest.SequenceEqual("init/error"u8))
        {
            return Route.InitError;
        }

        if (rest.SequenceEqual("stratus/reply-pipe"u8))
        {
            return Route.ReplyPipe;
        }

        if (!rest.StartsWith("invocation/"u8))
        {
            return Route.Unknown;
        }

        rest = rest["invocation/"u8.Length..];
        var slash = rest.LastIndexOf((byte)'/');
        var kind = slash <= 0 ? [] : rest[(slash + 1)..];
        if (!kind.SequenceEqual("response"u8) && !kind.SequenceEqual("error"u8))
        {
            return Route.Unknown;
        }

        postsError = kind.SequenceEqual("error"u8);
        requestId = Uri.UnescapeDataString(Encoding.ASCII.GetString(rest[..slash]));
        return Route.Completion;
    }

    private void Next()
    {
        var next = _handler.NextAsync();
        if (next.IsCompleted)
        {
            // Work was waiting: the event leaves with whatever replies are queued.
            var dispatched = next.Result;
            if (dispatched is null)
            {
                Close();
                return;
            }

            var (head, payload) = EventResponse(dispatched);
            Reply(head);
            if (payload.Count > 0)
            {
                Reply(payload);
            }

            return;
        }

        // The runtime waits: let it have its earlier replies now, and the event from whoever assigns it.
        SendPending();
        lock (_answerGate)
        {
            _awaitingAnswer = true;
        }

        next.GetAwaiter().UnsafeOnCompleted(() => Answer(next.Result));
    }

    /// <summary>Writes an assigned event; runs on the assigning thread.</summary>
    private void Answer(DispatchedInvocation? dispatched)
    {
        if (dispatched is null)
        {
            Close();
            return;
        }

        var (head, payload) = EventResponse(dispatched);
        if (CanSendWithoutWaiting(head.Count + payload.Count))
        {
            Send(head, payload);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Connection.Send(state.Head, state.Payload), (Connection: this, Head: head, Payload: payload), preferLocal: false);
        }
    }

    /// <summary>
    /// The assigning thread may be the server's socket event loop, which must never wait for a
    /// runtime that stops reading. A socket reported writable has most of its send buffer free
    /// (a Unix socket three quarters, TCP a third of the buffer set in the constructor): room for
    /// any event sent inline. Otherwise the event is sent from the thread pool.
    /// </summary>
    private bool CanSendWithoutWaiting(int bytes)
    {
        if (_answersThroughPipe)
        {
            return bytes <= ReplyPipe.AtomicBytes && _replyPipe!.HasRoom();
        }

        if (bytes > MaxInlineEventBytes)
        {
            return false;
        }

        try
        {
            return _socket.Poll(0, SelectMode.SelectWrite);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Send notices the closed connection and fails it.
            return true;
        }
    }

    private void Send(ArraySegment<byte> head, ArraySegment<byte> payload)
    {
        try
        {
            lock (_sendLock)
            {
                if (!_closed)
                {
                    Transmit(payload.Count > 0 ? [head, payload] : [head]);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            // The runtime is gone; its instance notices its exit and fails the invocation.
            Log.ConnectionLost(_logger, ex.Message);
            Close();
        }
        finally
        {
            Answered();
        }
    }

    private void Answered()
    {
        lock (_answerGate)
        {
            _awaitingAnswer = false;
            Monitor.PulseAll(_answerGate);
        }
    }

    /// <summary>Scratch space for an event's head, per thread: the head is written there as UTF-8 and copied out once.</summary>
    [ThreadStatic]
    private static byte[]? t_head;

    private static (ArraySegment<byte> Head, ArraySegment<byte> Payload) EventResponse(DispatchedInvocation next)
    {
        var invocation = next.Invocation;
        var payload = invocation.Payload;
        // Valid JSON, so line breaks in a client context can only be whitespace between tokens: spaces do as well.
        var clientContext = invocation.ClientContext is { } context
            ? string.Concat("Lambda-Runtime-Client-Context: ", context.ReplaceLineEndings(" "), "\r\n")
            : "";
        var bound = 512 + Encoding.UTF8.GetMaxByteCount(invocation.RequestId.Length + next.FunctionArn.Length + next.TraceId.Length + clientContext.Length);
        var scratch = t_head is { } cached && cached.Length >= bound ? cached : (t_head = new byte[Math.Max(bound, 4096)]);
        if (!Utf8.TryWrite(scratch, CultureInfo.InvariantCulture,
            $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {invocation.RequestId}\r\nLambda-Runtime-Deadline-Ms: {next.DeadlineMs}\r\nLambda-Runtime-Invoked-Function-Arn: {next.FunctionArn}\r\nLambda-Runtime-Trace-Id: {next.TraceId}\r\n{clientContext}Content-Length: {payload.Length}\r\n\r\n",
            out var written))
        {
            throw new InvalidOperationException("An event's head outgrew its bound.");
        }

        var head = scratch.AsSpan(0, written).ToArray();
        if (payload.Length == 0)
        {
            return (head, default);
        }

        var segment = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload, out var array) ? array : new ArraySegment<byte>(payload.ToArray());
        return (head, segment);
    }

    /// <summary>An error answer; <paramref name="closing"/>: the connection closes after it, and says so.</summary>
    private static byte[] Error(int status, string errorType, string message, bool closing = false)
    {
        var body = $$"""{"errorMessage":"{{message}}","errorType":"{{errorType}}"}""";
        var reason = status switch
        {
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            413 => "Request Entity Too Large",
            431 => "Request Header Fields Too Large",
            _ => "Error",
        };
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{(closing ? "Connection: close\r\n" : "")}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}"));
    }

    private void Reply(ArraySegment<byte> bytes) => _replies.Add(bytes);

    /// <summary>Sends the queued replies, then answers the callers whose invocations they finished.</summary>
    private void SendPending()
    {
        Flush();
        DeliverOutcomes();
    }

    /// <summary>Sends the queued replies in one write.</summary>
    private void Flush()
    {
        if (_replies.Count == 0)
        {
            return;
        }

        lock (_sendLock)
        {
            if (!_closed)
            {
                Transmit(_replies);
            }
        }

        _replies.Clear();
    }

    /// <summary>Writes answers, in order, where this runtime reads them; the caller holds the send lock.</summary>
    private void Transmit(List<ArraySegment<byte>> parts)
    {
        if (_answersThroughPipe)
        {
            _replyPipe!.Write(parts);
        }
        else if (parts.Count == 1)
        {
            _socket.Send(parts[0]);
        }
        else
        {
            _socket.Send(parts);
        }
    }

    private void DeliverOutcomes()
    {
        if (_outcomes.Count == 0)
        {
            return;
        }

        // The caller's continuation runs here (its HTTP reply); take the list first, it may be long.
        var outcomes = _outcomes.ToArray();
        _outcomes.Clear();
        foreach (var outcome in outcomes)
        {
            outcome.Deliver();
        }
    }

    /// <summary>Receives more bytes into the buffer; false at the end of the stream.</summary>
    private bool Fill()
    {
        // Never wait for the runtime while holding replies it may be waiting for.
        SendPending();
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxBufferBytes));
            }
        }

        if (_end == _buffer.Length)
        {
            return false;
        }

        var read = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        _end += read;
        if (_wantedCpus is { } cpus && !ReferenceEquals(cpus, _appliedCpus))
        {
            // Placed while waiting: moved before serving what arrived, so that is served there.
            CpuPlacement.PinCurrentThread(cpus);
            _appliedCpus = cpus;
        }

        return read > 0;
    }

    private bool ReadHead(out Head head)
    {
        head = default;
        while (true)
        {
            // Blank lines before a request line are ignored (RFC 9112 §2.2).
            while (_end - _start >= 2 && _buffer[_start] == '\r' && _buffer[_start + 1] == '\n')
            {
                _start += 2;
            }

            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var parsed = TryParseHead(_buffer.AsSpan(_start, end), out head);
                _start += end + 4;
                if (!parsed)
                {
                    Reply(Error(400, "InvalidRequest", "Malformed request", closing: true));
                }

                return parsed;
            }

            if (_end - _start >= MaxHeadBytes)
            {
                Reply(Error(431, "InvalidRequest", "Request header fields too large", closing: true));
                return false;
            }

            if (!Fill())
            {
                return false;
            }
        }
    }

    private static bool TryParseHead(ReadOnlySpan<byte> bytes, out Head head)
    {
        head = new Head { ContentLength = 0 };
        var lineEnd = bytes.IndexOf("\r\n"u8);
        var requestLine = lineEnd < 0 ? bytes : bytes[..lineEnd];
        var firstSpace = requestLine.IndexOf((byte)' ');
        var lastSpace = requestLine.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace)
        {
            return false;
        }

        var method = requestLine[..firstSpace];
        var target = requestLine[(firstSpace + 1)..lastSpace];
        var version = requestLine[(lastSpace + 1)..];
        if (version.SequenceEqual("HTTP/1.0"u8))
        {
            head.Close = true;
        }
        else if (!version.SequenceEqual("HTTP/1.1"u8))
        {
            return false;
        }

        head.IsGet = method.SequenceEqual("GET"u8);
        head.IsPost = method.SequenceEqual("POST"u8);
        var query = target.IndexOf((byte)'?');
        head.Route = RouteOf(query < 0 ? target : target[..query], out head.RequestId, out head.PostsError);

        var hasLength = false;
        var rest = lineEnd < 0 ? [] : bytes[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var next = rest.IndexOf("\r\n"u8);
            var line = next < 0 ? rest : rest[..next];
            rest = next < 0 ? [] : rest[(next + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return false;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (hasLength || !Utf8Parser.TryParse(value, out long length, out var consumed) || consumed != value.Length || length < 0)
                {
                    return false;
                }

                hasLength = true;
                head.ContentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                if (!Ascii.EqualsIgnoreCase(value, "chunked"u8))
                {
                    return false;
                }

                head.Chunked = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Expect"u8))
            {
                head.ExpectContinue = Ascii.EqualsIgnoreCase(value, "100-continue"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                head.Close |= Ascii.EqualsIgnoreCase(value, "close"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Lambda-Runtime-Function-Error-Type"u8) && value.Length > 0)
            {
                head.ErrorType = Encoding.UTF8.GetString(value);
            }
        }

        return true;
    }

    /// <summary>Reads a request body of at most the 6 MB payload limit.</summary>
    private Body ReadBody(in Head head, out byte[]? body)
    {
        const int limit = FunctionLimits.MaxSyncPayloadBytes;
        body = null;
        if (head.Chunked)
        {
            return ReadChunked(head, out body);
        }

        if (head.ContentLength > limit)
        {
            return Body.TooLarge;
        }

        var length = (int)head.ContentLength;
        body = length == 0 ? [] : new byte[length];
        var have = Math.Min(length, _end - _start);
        _buffer.AsSpan(_start, have).CopyTo(body);
        _start += have;
        if (have < length && head.ExpectContinue)
        {
            Reply(Continue);
        }

        while (have < length)
        {
            SendPending();
            var read = _socket.Receive(body, have, length - have, SocketFlags.None);
            if (read == 0)
            {
                return Body.Closed;
            }

            have += read;
        }

        return Body.Ok;
    }

    private Body ReadChunked(in Head head, out byte[]? body)
    {
        const int limit = FunctionLimits.MaxSyncPayloadBytes;
        body = null;
        if (head.ExpectContinue && _start == _end)
        {
            Reply(Continue);
        }

        var writer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var line = ReadLine();
            if (line is null)
            {
                return Body.Closed;
            }

            var (start, length) = line.Value;
            var sizeText = _buffer.AsSpan(start, length);
            var extension = sizeText.IndexOf((byte)';');
            if (extension >= 0)
            {
                sizeText = sizeText[..extension];
            }

            if (!Utf8Parser.TryParse(sizeText.Trim(" \t"u8), out long size, out var consumed, 'X') || consumed != sizeText.Trim(" \t"u8).Length || size < 0)
            {
                return Body.Malformed;
            }

            if (size == 0)
            {
                // Trailers, up to the blank line.
                while (true)
                {
                    var trailer = ReadLine();
                    if (trailer is null)
                    {
                        return Body.Closed;
                    }

                    if (trailer.Value.Length == 0)
                    {
                        body = writer.WrittenSpan.ToArray();
                        return Body.Ok;
                    }
                }
            }

            if (writer.WrittenCount + size > limit)
            {
                return Body.TooLarge;
            }

            var remaining = (int)size;
            while (remaining > 0)
            {
                if (_start == _end && !Fill())
                {
                    return Body.Closed;
                }

                var take = Math.Min(remaining, _end - _start);
                writer.Write(_buffer.AsSpan(_start, take));
                _start += take;
                remaining -= take;
            }

            var crlf = ReadLine();
            if (crlf is null)
            {
                return Body.Closed;
            }

            if (crlf.Value.Length != 0)
            {
                return Body.Malformed;
            }
        }
    }

    /// <summary>The next CRLF-terminated line as (start, length) in the buffer; null at the end of the stream or past the line limit.</summary>
    private (int Start, int Length)? ReadLine()
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (end >= 0)
            {
                var line = (_start, end);
                _start += end + 2;
                return line;
            }

            if (_end - _start > MaxLineBytes || !Fill())
            {
                return null;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Debug, "Runtime API connection lost: {Reason}")]
        public static partial void ConnectionLost(ILogger logger, string reason);

        [LoggerMessage(21, LogLevel.Warning, "Runtime API connection failed")]
        public static partial void ConnectionFailed(ILogger logger, Exception exception);
    }
}
