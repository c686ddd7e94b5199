using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stratus.Hosting;
using Stratus.Observability;
using Stratus.Storage;

namespace Stratus.Tests.Infrastructure;

/// <summary>A real Stratus server on an ephemeral loopback port with its own data directory.</summary>
public sealed class StratusHost : IAsyncDisposable
{
    private readonly bool _ownsData;

    private StratusHost(StratusServer server, string dataDirectory, bool ownsData)
    {
        _ownsData = ownsData;
        Server = server;
        DataDirectory = dataDirectory;
        Http = TestCredentials.Client(server.Address);
    }

    public StratusServer Server { get; }

    public string DataDirectory { get; }

    public HttpClient Http { get; }

    public Uri Address => Server.Address;

    public string Endpoint => Server.Address.GetLeftPart(UriPartial.Authority);

    /// <summary>Whether functions set to run without network get a network namespace of their own on this machine.</summary>
    public bool NetworkIsolated => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
        .GetRequiredService<Stratus.Execution.ExecutionEngine>(Server.Services).Isolation.NetworkNamespaces;

    /// <summary>Whether instances run isolated (root with namespaces available) on this machine.</summary>
    public bool Isolated => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
        .GetRequiredService<Stratus.Execution.ExecutionEngine>(Server.Services).Isolation.Enabled;

    /// <summary>
    /// Starts a server; with <paramref name="time"/>, the engine's clock (keep-alive, timeouts) is that one;
    /// <paramref name="services"/> registers test doubles before Stratus's own services.
    /// </summary>
    public static async Task<StratusHost> StartAsync(Action<StratusOptions>? configure = null, string? dataDirectory = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var data = dataDirectory ?? Path.Combine(Path.GetTempPath(), "stratus-tests", Guid.NewGuid().ToString("N"));
        var server = await StratusServer.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0),
            options =>
            {
                options.DataDirectory = data;
                options.RootAccessKeyId = TestCredentials.AccessKeyId;
                options.RootSecretAccessKey = TestCredentials.Secret;
                configure?.Invoke(options);
            },
            services: collection =>
            {
                services?.Invoke(collection);
                if (time is not null)
                {
                    collection.AddSingleton(time);
                    // The log writer gathers records for a few milliseconds between batches: on a clock
                    // only the test moves, it would wait for the test, and a stop would wait forever.
                    collection.AddSingleton(sp => new LogSink(sp.GetRequiredService<ILogStore>(), TimeProvider.System, sp.GetRequiredService<ILogger<LogSink>>()));
                }
            });
        return new StratusHost(server, data, ownsData: dataDirectory is null);
    }

    /// <summary>Waits (up to 30 s) until at least <paramref name="count"/> standby runtimes of <paramref name="family"/> are booted and ready.</summary>
    public async Task WaitForStandbyAsync(string family, int count = 1)
    {
        for (var attempt = 0; attempt < 1500; attempt++)
        {
            var engine = JsonNode.Parse(await Http.GetStringAsync("/stratus/v1/engine"))!;
            if ((int?)engine["StandbyRuntimes"]?[family] >= count)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no {count} standby {family} runtimes ready after 30 s");
    }

    /// <summary>Creates a function through the Lambda API and returns its configuration.</summary>
    public async Task<JsonNode> CreateFunctionAsync(string name, string runtime, string handler, byte[] zip, int timeout = 3, Dictionary<string, string>? environment = null, int memory = 128)
    {
        var body = new JsonObject
        {
            ["FunctionName"] = name,
            ["Runtime"] = runtime,
            ["Handler"] = handler,
            ["Role"] = "arn:aws:iam::123456789012:role/test",
            ["Timeout"] = timeout,
            ["MemorySize"] = memory,
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(zip) },
        };
        if (environment is not null)
        {
            var variables = new JsonObject();
            foreach (var (key, value) in environment)
            {
                variables[key] = value;
            }

            body["Environment"] = new JsonObject { ["Variables"] = variables };
        }

        using var response = await Http.PostAsync("/2015-03-31/functions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"CreateFunction failed: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Invokes synchronously and returns the raw response (payload, headers).</summary>
    public async Task<InvokeResult> InvokeAsync(string name, string payload = "{}", bool tail = false, string? type = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2015-03-31/functions/{Uri.EscapeDataString(name)}/invocations")
        {
            Content = new StringContent(payload, Encoding.UTF8),
        };
        if (tail)
        {
            request.Headers.Add("X-Amz-Log-Type", "Tail");
        }

        if (type is not null)
        {
            request.Headers.Add("X-Amz-Invocation-Type", type);
        }

        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? Header(string header) => response.Headers.TryGetValues(header, out var values) ? values.First() : null;
        var log = Header("X-Amz-Log-Result") is { } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;
        return new InvokeResult((int)response.StatusCode, body, Header("X-Amz-Function-Error"), log, Header("x-amzn-ErrorType"), Header("X-Amz-Executed-Version"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        if (!_ownsData)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }
}

public sealed record InvokeResult(int Status, string Body, string? FunctionError, string? Log, string? ErrorType, string? ExecutedVersion)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
}
