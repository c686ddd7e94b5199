using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Execution;

public sealed class PythonRuntimeTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync() => _host = await StratusHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Invoke_PythonHandler_GetsEventContextAndPrintsToLog()
    {
        var code = Zips.Create(("pkg/app.py", """
            import os, sys

            def over_unix_socket():
                # The runtime's only socket is its Runtime API connection: is it a Unix one?
                links = []
                for fd in os.listdir("/proc/self/fd"):
                    try:
                        links.append(os.readlink("/proc/self/fd/" + fd))
                    except OSError:
                        pass
                inodes = {link[8:-1] for link in links if link.startswith("socket:[")}
                with open("/proc/self/net/unix") as table:
                    unix = {line.split()[6] for line in table.read().splitlines()[1:] if len(line.split()) > 6}
                return bool(inodes & unix)

            def handler(event, context):
                print("got", event["n"])
                return {
                    "n": event["n"] * 2,
                    "name": context.function_name,
                    "memory": context.memory_limit_in_mb,
                    "request": context.aws_request_id,
                    "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 3000,
                    "region": os.environ["AWS_REGION"],
                    "over_socket": over_unix_socket(),
                }
            """), ("pkg/__init__.py", ""));
        await _host.CreateFunctionAsync("py-ok", "python3.12", "pkg.app.handler", code);

        var result = await _host.InvokeAsync("py-ok", """{"n":21}""", tail: true);

        Assert.Null(result.FunctionError);
        var body = result.Json;
        Assert.Equal(42, (int)body["n"]!);
        Assert.Equal("py-ok", (string)body["name"]!);
        Assert.Equal("128", body["memory"]!.ToString());
        Assert.True((bool)body["remaining_ok"]!);
        Assert.Equal("us-east-1", (string)body["region"]!);
        Assert.True((bool)body["over_socket"]!, "the python bootstrap reaches the Runtime API over its Unix socket");
        Assert.Contains("got 21\n", result.Log);
        Assert.Contains($"END RequestId: {(string)body["request"]!}", result.Log);
    }

    [Fact]
    public async Task Invoke_PythonRaises_ReturnsErrorWithStackTraceAndKeepsServing()
    {
        var code = Zips.Create(("lambda_function.py", """
            def lambda_handler(event, context):
                if event.get("fail"):
                    raise ValueError("no good")
                return "ok"
            """));
        await _host.CreateFunctionAsync("py-raise", "python3.11", "lambda_function.lambda_handler", code);

        var failed = await _host.InvokeAsync("py-raise", """{"fail":true}""");
        var next = await _host.InvokeAsync("py-raise");

        Assert.Equal("Unhandled", failed.FunctionError);
        Assert.Equal("ValueError", (string)failed.Json["errorType"]!);
        Assert.Equal("no good", (string)failed.Json["errorMessage"]!);
        Assert.Contains("lambda_function.py", failed.Json["stackTrace"]![0]!.ToString());
        Assert.Equal("\"ok\"", next.Body);
    }

    [Fact]
    public async Task Invoke_PythonModuleMissing_ReportsImportModuleError()
    {
        await _host.CreateFunctionAsync("py-missing", "python3.12", "nothere.handler", Zips.Create(("other.py", "x = 1")));

        var result = await _host.InvokeAsync("py-missing");

        Assert.Equal("Unhandled", result.FunctionError);
        Assert.Equal("Runtime.ImportModuleError", (string)result.Json["errorType"]!);
        Assert.Equal("Unable to import module 'nothere': No module named 'nothere'", (string)result.Json["errorMessage"]!);
    }
}
