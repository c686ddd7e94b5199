using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

public sealed class NodeRuntimeTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Invoke_OverUnixSocketOrLoopbackTcp_BothServeTheRuntimeApi()
    {
        // The node bootstrap talks to Stratus over a Unix socket in the data directory; when that path
        // is too long for a socket address, over the loopback port in AWS_LAMBDA_RUNTIME_API.
        var longData = Path.Combine(Path.GetTempPath(), "stratus-tests", new string('d', 60), Guid.NewGuid().ToString("N"));
        // Isolated instances get their socket under /run; without isolation it sits in the data directory.
        var longHost = await StratusHost.StartAsync(o => o.Isolation = false, dataDirectory: longData);
        try
        {
            // A runtime's only socket is its Runtime API connection: is it a Unix one?
            var code = Zips.Create(("index.js", """
                const fs = require('fs');
                const sockets = () => fs.readdirSync('/proc/self/fd').map(fd => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return ''; } })
                  .filter(link => link.startsWith('socket:[')).map(link => link.slice(8, -1));
                const unixInodes = () => new Set(fs.readFileSync('/proc/self/net/unix', 'utf8').split('\n').slice(1).map(line => line.trim().split(/\s+/)[6]));
                exports.handler = async (event) => ({ n: event.n, transport: sockets().some(inode => unixInodes().has(inode)) ? 'unix' : 'tcp' });
                """));
            await _host.CreateFunctionAsync("node-transport", "nodejs20.x", "index.handler", code);
            await longHost.CreateFunctionAsync("node-transport", "nodejs20.x", "index.handler", code);

            var local = await _host.InvokeAsync("node-transport", """{"n":1}""");
            var tcp = await longHost.InvokeAsync("node-transport", """{"n":2}""");

            Assert.Equal("""{"n":1,"transport":"unix"}""", local.Body);
            Assert.Equal("""{"n":2,"transport":"tcp"}""", tcp.Body);
        }
        finally
        {
            await longHost.DisposeAsync();
            Directory.Delete(longData, recursive: true);
        }
    }

    [Fact]
    public async Task Invoke_AnswersComeThroughTheInstancesOwnPipe_LargeEventsAndResultsToo()
    {
        // Standby runtimes and runtimes started for a function (NODE_OPTIONS is read at boot, so that
        // one cannot come from a standby) both read their answers from a named pipe of their own.
        var code = Zips.Create(("index.js", """
            const fs = require('fs');
            const pipes = () => fs.readdirSync('/proc/self/fd')
              .map(fd => { try { return [fd, fs.readlinkSync('/proc/self/fd/' + fd)]; } catch { return [fd, '']; } })
              .filter(([fd, link]) => link.endsWith('.replies') && fs.fstatSync(Number(fd)).isFIFO()).length;
            exports.handler = async (event) => ({ pipes: pipes(), length: event.text.length, text: event.text });
            """));
        await _host.CreateFunctionAsync("node-pipe", "nodejs20.x", "index.handler", code);
        await _host.CreateFunctionAsync("node-pipe-booted", "nodejs20.x", "index.handler", code, environment: new() { ["NODE_OPTIONS"] = "--max-http-header-size=12345" });
        // More than a pipe holds at once (64 KiB) both ways, and than the server writes without waiting.
        var text = string.Concat(Enumerable.Range(0, 40_000).Select(i => (char)('a' + (i % 26))));
        var large = "{\"text\":\"" + text + "\"}";

        foreach (var function in new[] { "node-pipe", "node-pipe-booted" })
        {
            var small = await _host.InvokeAsync(function, """{"text":"hi"}""");
            var big = await _host.InvokeAsync(function, large);
            var again = await _host.InvokeAsync(function, """{"text":"again"}""");

            Assert.Equal("""{"pipes":1,"length":2,"text":"hi"}""", small.Body);
            Assert.Equal("{\"pipes\":1,\"length\":40000,\"text\":\"" + text + "\"}", big.Body);
            Assert.Equal("""{"pipes":1,"length":5,"text":"again"}""", again.Body);
        }
    }

    [Fact]
    public async Task Invoke_TimerLeftByAHandlerThatReturnsAtOnce_FiresWhileInvocationsContinue()
    {
        // The runtime waits for its events in blocking reads; its event loop must still get turns
        // while invocations keep coming, or timers and I/O callbacks would never run.
        var code = Zips.Create(("index.js", """
            let fired = false, armed = false;
            exports.handler = (event, context, callback) => {
              if (!armed) { armed = true; setTimeout(() => { fired = true; }, 0); }
              callback(null, { fired });
            };
            """));
        await _host.CreateFunctionAsync("node-timer", "nodejs20.x", "index.handler", code);

        var seen = false;
        for (var i = 0; i < 200 && !seen; i++)
        {
            var result = await _host.InvokeAsync("node-timer", "{}");
            Assert.Equal(200, result.Status);
            seen = result.Body == """{"fired":true}""";
        }

        Assert.True(seen, "the timer never fired");
    }

    [Fact]
    public async Task Invoke_AsyncCommonJsHandler_ReturnsResultAndLambdaEnvironment()
    {
        var code = Zips.Create(("index.js", """
            exports.handler = async (event, context) => ({
              event,
              requestId: context.awsRequestId,
              remaining: context.getRemainingTimeInMillis(),
              arn: context.invokedFunctionArn,
              env: Object.fromEntries(['AWS_LAMBDA_FUNCTION_NAME','AWS_LAMBDA_FUNCTION_VERSION','AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
                'AWS_LAMBDA_LOG_GROUP_NAME','AWS_LAMBDA_LOG_STREAM_NAME','AWS_REGION','AWS_DEFAULT_REGION','TZ','LANG','PATH',
                '_HANDLER','LAMBDA_TASK_ROOT','AWS_LAMBDA_RUNTIME_API','GREETING','HOME_SECRET'].map(k => [k, process.env[k] ?? null])),
            });
            """));
        await _host.CreateFunctionAsync("node-env", "nodejs20.x", "index.handler", code, timeout: 7, memory: 256, environment: new() { ["GREETING"] = "hi" });

        var result = await _host.InvokeAsync("node-env", """{"a":1}""");

        Assert.Equal(200, result.Status);
        Assert.Null(result.FunctionError);
        Assert.Equal("$LATEST", result.ExecutedVersion);
        var body = result.Json;
        Assert.Equal(1, (int)body["event"]!["a"]!);
        Assert.InRange((int)body["remaining"]!, 1, 7000);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:node-env", (string)body["arn"]!);
        var env = body["env"]!;
        Assert.Equal("node-env", (string)env["AWS_LAMBDA_FUNCTION_NAME"]!);
        Assert.Equal("$LATEST", (string)env["AWS_LAMBDA_FUNCTION_VERSION"]!);
        Assert.Equal("256", (string)env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]!);
        Assert.Equal("/aws/lambda/node-env", (string)env["AWS_LAMBDA_LOG_GROUP_NAME"]!);
        Assert.Matches(@"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$", (string)env["AWS_LAMBDA_LOG_STREAM_NAME"]!);
        Assert.Equal("us-east-1", (string)env["AWS_REGION"]!);
        Assert.Equal("us-east-1", (string)env["AWS_DEFAULT_REGION"]!);
        Assert.Equal(":UTC", (string)env["TZ"]!);
        Assert.Equal("en_US.UTF-8", (string)env["LANG"]!);
        Assert.Equal("index.handler", (string)env["_HANDLER"]!);
        Assert.Matches(@"^127\.0\.0\.1:\d+$", (string)env["AWS_LAMBDA_RUNTIME_API"]!);
        Assert.Equal("hi", (string)env["GREETING"]!);
        Assert.Null(env["HOME_SECRET"]);
    }

    [Fact]
    public async Task Invoke_EsModuleAndCallbackHandlers_BothAnswer()
    {
        var esm = Zips.Create(("app.mjs", "export const handler = async (event) => ({ kind: 'esm', n: event.n + 1 });"));
        var typeModule = Zips.Create(("package.json", """{"type":"module"}"""), ("src/main.js", "export async function run() { return 'module-js'; }"));
        var callback = Zips.Create(("index.js", "exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { kind: 'callback' }), 5); };"));
        await _host.CreateFunctionAsync("node-esm", "nodejs22.x", "app.handler", esm);
        await _host.CreateFunctionAsync("node-type-module", "nodejs20.x", "src/main.run", typeModule);
        await _host.CreateFunctionAsync("node-callback", "nodejs20.x", "index.handler", callback);

        Assert.Equal("""{"kind":"esm","n":2}""", (await _host.InvokeAsync("node-esm", """{"n":1}""")).Body);
        Assert.Equal("\"module-js\"", (await _host.InvokeAsync("node-type-module")).Body);
        Assert.Equal("""{"kind":"callback"}""", (await _host.InvokeAsync("node-callback")).Body);
    }

    [Fact]
    public async Task Invoke_HandlerThrows_ReturnsUnhandledWithLambdaErrorShapeAndNextInvokeWorks()
    {
        var code = Zips.Create(("index.js", """
            exports.handler = async (event) => {
              if (event.fail) { const e = new TypeError('bad input'); throw e; }
              return 'fine';
            };
            """));
        await _host.CreateFunctionAsync("node-throws", "nodejs20.x", "index.handler", code);

        var failed = await _host.InvokeAsync("node-throws", """{"fail":true}""");
        var next = await _host.InvokeAsync("node-throws", "{}");

        Assert.Equal(200, failed.Status);
        Assert.Equal("Unhandled", failed.FunctionError);
        Assert.Equal("TypeError", (string)failed.Json["errorType"]!);
        Assert.Equal("bad input", (string)failed.Json["errorMessage"]!);
        Assert.StartsWith("TypeError: bad input", (string)failed.Json["trace"]![0]!);
        Assert.Null(next.FunctionError);
        Assert.Equal("\"fine\"", next.Body);
    }

    [Fact]
    public async Task Invoke_LogTail_HasStartEndReportAndConsoleOutputWithInitDurationOnlyWhenCold()
    {
        await _host.CreateFunctionAsync("node-logs", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            console.log('loading');
            exports.handler = async (event) => { console.log('value is', event.v); console.error('to stderr'); return null; };
            """)));

        var cold = await _host.InvokeAsync("node-logs", """{"v":41}""", tail: true);
        var warm = await _host.InvokeAsync("node-logs", """{"v":42}""", tail: true);

        Assert.Equal("null", cold.Body);
        Assert.Contains("loading", cold.Log);
        Assert.Matches(@"START RequestId: [0-9a-f-]{36} Version: \$LATEST\n", cold.Log);
        Assert.Matches(@"\tINFO\tvalue is 41\n", cold.Log);
        Assert.Contains("to stderr", cold.Log);
        Assert.Matches(@"END RequestId: [0-9a-f-]{36}\n", cold.Log);
        Assert.Matches(@"REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d{2} ms\t", cold.Log);
        Assert.Contains("value is 42", warm.Log);
        Assert.DoesNotContain("value is 41", warm.Log);
        Assert.DoesNotContain("Init Duration", warm.Log);
    }

    [Fact]
    public async Task Invoke_OutputPrintedBetweenInvocations_IsLoggedWithTheNextAfterItsStart()
    {
        // The first invocation leaves a timer that prints after its response; the second waits for
        // that line to be printed, so the line is in the output file before the second one ends.
        await _host.CreateFunctionAsync("node-later", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            let printed;
            exports.handler = async (event) => {
              if (event.first) {
                printed = new Promise((resolve) => setTimeout(() => { console.log('printed later'); resolve(); }, 50));
                return 'first';
              }
              await printed;
              return 'second';
            };
            """)));

        var first = await _host.InvokeAsync("node-later", """{"first":true}""", tail: true);
        var second = await _host.InvokeAsync("node-later", "{}", tail: true);

        Assert.Equal("\"second\"", second.Body);
        Assert.NotNull(first.Log);
        Assert.NotNull(second.Log);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(first.Log + second.Log, "printed later"));
        if (second.Log.Contains("printed later", StringComparison.Ordinal))
        {
            Assert.True(second.Log.IndexOf("START RequestId", StringComparison.Ordinal) < second.Log.IndexOf("printed later", StringComparison.Ordinal), second.Log);
        }
    }

    [Fact]
    public async Task Invoke_ModuleMissingOrHandlerMissing_ReportsInitErrorsLikeLambda()
    {
        await _host.CreateFunctionAsync("node-no-module", "nodejs20.x", "missing.handler", Zips.NodeEcho());
        await _host.CreateFunctionAsync("node-no-handler", "nodejs20.x", "index.nope", Zips.NodeEcho());

        var noModule = await _host.InvokeAsync("node-no-module", tail: true);
        var noHandler = await _host.InvokeAsync("node-no-handler");
        var again = await _host.InvokeAsync("node-no-handler");

        Assert.Equal(200, noModule.Status);
        Assert.Equal("Unhandled", noModule.FunctionError);
        Assert.Equal("Runtime.ImportModuleError", (string)noModule.Json["errorType"]!);
        Assert.Contains("Cannot find module 'missing'", (string)noModule.Json["errorMessage"]!);
        Assert.Matches(@"INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError", noModule.Log);
        Assert.Equal("Runtime.HandlerNotFound", (string)noHandler.Json["errorType"]!);
        Assert.Equal("index.nope is undefined or not exported", (string)noHandler.Json["errorMessage"]!);
        Assert.Equal("Runtime.HandlerNotFound", (string)again.Json["errorType"]!);
    }

    [Fact]
    public async Task Invoke_ProcessExits_ReturnsExitErrorAndReplacesInstance()
    {
        await _host.CreateFunctionAsync("node-exit", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            exports.handler = async (event) => { if (event.exit) { process.exit(3); } return process.pid; };
            """)));

        var crashed = await _host.InvokeAsync("node-exit", """{"exit":true}""", tail: true);
        var next = await _host.InvokeAsync("node-exit");

        Assert.Equal("Unhandled", crashed.FunctionError);
        Assert.True((string)crashed.Json["errorType"]! == "Runtime.ExitError", crashed.Body + "\n" + crashed.Log);
        Assert.Matches(@"^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$", (string)crashed.Json["errorMessage"]!);
        Assert.Null(next.FunctionError);
        Assert.True(int.Parse(next.Body, System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Invoke_Timeout_KillsWholeProcessTreeAndReturnsSandboxTimedout()
    {
        await _host.CreateFunctionAsync("node-timeout", "nodejs20.x", "index.handler", Zips.Create(("index.js", """
            const { spawn } = require('child_process');
            exports.handler = async (event) => {
              if (!event.hang) return 'alive';
              const child = spawn('sleep', ['600'], { stdio: 'ignore' });
              console.log('child pid', child.pid);
              await new Promise(() => {});
            };
            """)), timeout: 1);

        var timedOut = await _host.InvokeAsync("node-timeout", """{"hang":true}""", tail: true);
        var next = await _host.InvokeAsync("node-timeout");

        Assert.Equal(200, timedOut.Status);
        Assert.Equal("Unhandled", timedOut.FunctionError);
        Assert.Equal("Sandbox.Timedout", (string)timedOut.Json["errorType"]!);
        Assert.Matches(@"^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$", (string)timedOut.Json["errorMessage"]!);
        Assert.Contains("Task timed out after 1.00 seconds", timedOut.Log);
        Assert.Equal("\"alive\"", next.Body);
        var childPid = int.Parse(System.Text.RegularExpressions.Regex.Match(timedOut.Log!, @"child pid (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await Processes.WaitGoneAsync(childPid), $"child process {childPid} of the timed-out instance is still running");
    }
}
