using System.Text.RegularExpressions;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

/// <summary>The cgroup limits every instance runs under: memory, CPU share and process count.</summary>
public sealed partial class ResourceLimitTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Invoke_OverMemorySize_IsKilledWithLambdaErrorAndNextInvokeWorks()
    {
        var code = Zips.Create(("index.js", """
            exports.handler = async (event) => {
              if (event.mb) {
                const chunks = [];
                for (let i = 0; i < event.mb; i++) chunks.push(Buffer.alloc(1024 * 1024, 1));
                return { held: chunks.length };
              }
              return 'fine';
            };
            """));
        await _host.CreateFunctionAsync("mem-hog", "nodejs20.x", "index.handler", code, memory: 128, timeout: 60);

        var killed = await _host.InvokeAsync("mem-hog", """{"mb":400}""");
        var next = await _host.InvokeAsync("mem-hog", "{}", tail: true);

        Assert.Equal("Unhandled", killed.FunctionError);
        Assert.Equal("Runtime.ExitError", (string)killed.Json["errorType"]!);
        Assert.EndsWith("Error: Runtime exited with error: signal: killed", (string)killed.Json["errorMessage"]!);
        Assert.Equal("\"fine\"", next.Body);
        Assert.Contains("Memory Size: 128 MB", next.Log);
    }

    [Fact]
    public async Task Invoke_MaxMemoryUsed_IsMeasuredFromTheCgroup()
    {
        var code = Zips.Create(("index.js", """
            let held;
            exports.handler = async (event) => {
              held = [];
              for (let i = 0; i < event.mb; i++) held.push(Buffer.alloc(1024 * 1024, 1));
              return held.length;
            };
            """));
        await _host.CreateFunctionAsync("mem-report", "nodejs20.x", "index.handler", code, memory: 512);

        var result = await _host.InvokeAsync("mem-report", """{"mb":150}""", tail: true);

        Assert.Equal("150", result.Body);
        var used = int.Parse(MaxMemoryUsed().Match(result.Log!).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        // 150 MB of buffers plus node itself, and never more than the limit.
        Assert.InRange(used, 150, 512);
    }

    [Fact]
    public async Task Invoke_ForkBomb_StopsAtTheProcessLimitAndHarmsNobodyElse()
    {
        var code = Zips.Create(("bomb.py", """
            import os, signal

            def handler(event, context):
                children = []
                try:
                    while len(children) < 5000:
                        pid = os.fork()
                        if pid == 0:
                            signal.pause()
                            os._exit(0)
                        children.append(pid)
                except OSError as e:
                    error = type(e).__name__
                for pid in children:
                    os.kill(pid, signal.SIGKILL)
                for pid in children:
                    os.waitpid(pid, 0)
                return {"forked": len(children), "error": error}
            """));
        await _host.CreateFunctionAsync("fork-bomb", "python3.12", "bomb.handler", code, memory: 1024, timeout: 60);
        await _host.CreateFunctionAsync("bystander", "nodejs20.x", "index.handler", Zips.Create(("index.js", "exports.handler = async () => 'still here';")));

        var bomb = await _host.InvokeAsync("fork-bomb");
        var bystander = await _host.InvokeAsync("bystander");

        Assert.Null(bomb.FunctionError);
        Assert.Equal("BlockingIOError", (string)bomb.Json["error"]!);
        // Lambda's limit is 1,024 processes and threads per environment, the runtime's own included.
        Assert.InRange((int)bomb.Json["forked"]!, 1000, 1023);
        Assert.Equal("\"still here\"", bystander.Body);
    }

    [Fact]
    public async Task Invoke_CpuBoundAt128Mb_GetsAboutOneFourteenthOfACore()
    {
        var code = Zips.Create(("index.js", """
            exports.handler = async () => {
              const start = process.hrtime.bigint();
              const cpuStart = process.cpuUsage();
              while (process.hrtime.bigint() - start < 1_500_000_000n) { /* spin */ }
              const cpu = process.cpuUsage(cpuStart);
              const wallUs = Number(process.hrtime.bigint() - start) / 1000;
              return (cpu.user + cpu.system) / wallUs;
            };
            """));
        await _host.CreateFunctionAsync("cpu-spin", "nodejs20.x", "index.handler", code, memory: 128, timeout: 10);

        var share = double.Parse((await _host.InvokeAsync("cpu-spin")).Body, System.Globalization.CultureInfo.InvariantCulture);

        // 128 / 1769 of a core is 7.2 %; without a quota a spinning process gets close to 100 %.
        Assert.InRange(share, 0.01, 0.2);
    }

    [GeneratedRegex(@"Max Memory Used: (\d+) MB")]
    private static partial Regex MaxMemoryUsed();
}
