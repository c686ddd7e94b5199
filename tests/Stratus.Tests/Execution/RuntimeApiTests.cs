using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>
/// The Runtime API as HTTP clients other than Stratus's own bootstraps speak it: a custom runtime
/// written on raw sockets sends what curl, language runtimes and broken or hostile code send, and
/// reports what it got back.
/// </summary>
public sealed class RuntimeApiTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task RuntimeApi_ChunkedContinuePipelinedAndRepeatedPosts_AreAnsweredAsHttpRequires()
    {
        await _host.CreateFunctionAsync("raw-http", "provided.al2023", "unused.handler", Zips.Create(("bootstrap", RawBootstrap, (UnixFileMode?)Zips.Executable)));

        // 1st: the reply goes chunked, after waiting for 100 Continue.
        var first = await _host.InvokeAsync("raw-http", """{"n":1}""");
        // 2nd: the runtime reports how that went, pipelining its reply with the next invocation/next.
        var second = await _host.InvokeAsync("raw-http", """{"n":2}""");
        // 3rd: it reports the pipelined pair and posts the 2nd reply once more.
        var third = await _host.InvokeAsync("raw-http", """{"n":3}""");

        Assert.Null(first.FunctionError);
        Assert.Equal("""{"chunked": true, "event": {"n": 1}}""", first.Body);
        Assert.Equal("""{"continue": 100, "chunked_post": 202}""", second.Body);
        Assert.Equal("""{"pipelined_post": 202, "pipelined_next": 200, "repeated_post": 403}""", third.Body);
    }

    [Fact]
    public async Task RuntimeApi_MalformedOversizedAndSurplusRequests_AreRefusedAndTheInstanceKeepsWorking()
    {
        await _host.CreateFunctionAsync("raw-probe", "provided.al2023", "unused.handler", Zips.Create(("bootstrap", ProbeBootstrap, (UnixFileMode?)Zips.Executable)));

        var result = await _host.InvokeAsync("raw-probe", """{"n":1}""");
        var again = await _host.InvokeAsync("raw-probe", """{"n":2}""");

        Assert.Null(result.FunctionError);
        var probes = result.Json;
        Assert.Equal(400, (int)probes["garbage"]!);
        Assert.Equal(431, (int)probes["huge_head"]!);
        Assert.Equal(413, (int)probes["huge_body"]!);
        Assert.Equal(400, (int)probes["bad_length"]!);
        Assert.Equal("404,404", (string)probes["unknown_paths"]!);
        Assert.Equal(400, (int)probes["unknown_request"]!);
        Assert.Equal("closed", (string)probes["fifth_connection"]!);
        Assert.Equal("""{"n":2}""", (string)again.Json["event"]!);
    }

    // Shared by both runtimes: a tiny HTTP/1.1 client on raw sockets.
    private const string RawClient = """
        #!/usr/bin/python3
        import json, os, socket, time
        HOST, PORT = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
        API = "/2018-06-01/runtime"

        class Conn:
            def __init__(self):
                self.s = socket.create_connection((HOST, int(PORT)))
                self.buf = b""

            def more(self):
                data = self.s.recv(65536)
                if not data:
                    raise EOFError
                self.buf += data

            def response(self):
                while b"\r\n\r\n" not in self.buf:
                    self.more()
                head, self.buf = self.buf.split(b"\r\n\r\n", 1)
                lines = head.decode().split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
                length = int(headers.get("content-length", "0"))
                while len(self.buf) < length:
                    self.more()
                body, self.buf = self.buf[:length], self.buf[length:]
                return int(lines[0].split(" ")[1]), headers, body

            def next(self):
                self.s.sendall(f"GET {API}/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                return self.response()

        def post(path, body):
            return f"POST {API}/{path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body

        """;

    private const string RawBootstrap = RawClient + """
        c = Conn()
        _, h, body = c.next()
        rid = h["lambda-runtime-aws-request-id"]
        c.s.sendall(f"POST {API}/invocation/{rid}/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n".encode())
        interim = c.response()[0]
        reply = json.dumps({"chunked": True, "event": json.loads(body)}).encode()
        c.s.sendall(b"5;x=y\r\n" + reply[:5] + b"\r\n" + format(len(reply) - 5, "X").encode() + b"\r\n" + reply[5:] + b"\r\n0\r\nX-Trailer: t\r\n\r\n")
        chunked = c.response()[0]

        _, h, body = c.next()
        rid2 = h["lambda-runtime-aws-request-id"]
        reply = json.dumps({"continue": interim, "chunked_post": chunked}).encode()
        c.s.sendall(post(f"invocation/{rid2}/response", reply) + f"GET {API}/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        posted = c.response()[0]
        nxt, h, body = c.response()
        rid3 = h["lambda-runtime-aws-request-id"]

        c.s.sendall(post(f"invocation/{rid2}/response", b"{}"))
        repeated = c.response()[0]
        reply = json.dumps({"pipelined_post": posted, "pipelined_next": nxt, "repeated_post": repeated}).encode()
        c.s.sendall(post(f"invocation/{rid3}/response", reply))
        c.response()
        while True:
            _, h, body = c.next()
            c.s.sendall(post(f"invocation/{h['lambda-runtime-aws-request-id']}/response", body))
            c.response()

        """;

    private const string ProbeBootstrap = RawClient + """
        # Four connections are served at once: with three more beside this one, a fifth is closed unanswered.
        main = Conn()
        extra = [Conn() for _ in range(3)]
        surplus = Conn()
        try:
            surplus.s.sendall(f"GET {API}/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            surplus.response()
            probes = {"fifth_connection": "answered"}
        except (EOFError, ConnectionResetError, BrokenPipeError):
            probes = {"fifth_connection": "closed"}
        for e in extra:
            e.s.close()

        def probe(raw):
            # The server may not have seen the extra connections go yet: then this one is closed at once.
            for _ in range(500):
                c = Conn()
                try:
                    c.s.sendall(raw)
                    return c.response()[0]
                except (EOFError, ConnectionResetError, BrokenPipeError):
                    time.sleep(0.01)
                finally:
                    c.s.close()

        probes["garbage"] = probe(b"HELLO THERE\r\n\r\n")
        probes["huge_head"] = probe(f"GET {API}/invocation/next HTTP/1.1\r\nX-Big: ".encode() + b"a" * 40000 + b"\r\n\r\n")
        probes["huge_body"] = probe(f"POST {API}/invocation/x/response HTTP/1.1\r\nContent-Length: 7000000\r\n\r\n".encode())
        probes["bad_length"] = probe(f"POST {API}/init/error HTTP/1.1\r\nContent-Length: -5\r\n\r\n".encode())
        probes["unknown_request"] = probe(post("invocation/not-a-request/response", b"{}"))
        c = Conn()
        c.s.sendall(b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n" + f"GET {API}/unknown HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        probes["unknown_paths"] = f"{c.response()[0]},{c.response()[0]}"
        c.s.close()

        _, h, body = main.next()
        main.s.sendall(post(f"invocation/{h['lambda-runtime-aws-request-id']}/response", json.dumps(probes).encode()))
        main.response()
        while True:
            _, h, body = main.next()
            main.s.sendall(post(f"invocation/{h['lambda-runtime-aws-request-id']}/response", json.dumps({"event": body.decode()}).encode()))
            main.response()

        """;
}
