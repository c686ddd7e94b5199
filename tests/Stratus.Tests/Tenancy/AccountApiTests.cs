using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stratus.Hosting;
using Stratus.Tenancy;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Tenancy;

/// <summary>First start, the account API and the CLI against a real server, with its log captured.</summary>
public sealed class AccountApiTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("stratus-tenancy-").FullName;
    private readonly StringWriter _console = new();
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task FirstStart_CreatesRootAndCredentialsOnce_NotAgainOnRestart()
    {
        string credentials;
        await using (var server = await StartAsync())
        {
            credentials = await File.ReadAllTextAsync(Path.Combine(_data, RootAccount.CredentialsFileName));
        }

        var firstConsole = _console.ToString();
        await using (var server = await StartAsync())
        {
            var accounts = JsonNode.Parse(await Get(server, "/stratus/v1/accounts"))!["Accounts"]!.AsArray();
            Assert.Single(accounts);
            Assert.Equal(StratusOptions.DefaultAccountId, (string)accounts[0]!["AccountId"]!);
            Assert.True((bool)accounts[0]!["Root"]!);
        }

        var path = Path.Combine(_data, RootAccount.CredentialsFileName);
        var id = Line(credentials, "aws_access_key_id = ");
        var secret = Line(credentials, "aws_secret_access_key = ");
        Assert.StartsWith("[stratus]\n", credentials);
        Assert.Matches("^AKIA[A-Z2-7]{16}$", id);
        Assert.Equal(40, secret.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(credentials, await File.ReadAllTextAsync(path));
        Assert.Contains(secret, firstConsole);
        Assert.Equal(firstConsole, _console.ToString());
        Assert.DoesNotContain(secret, _logs.Text);
        Assert.Contains(id, _logs.Text);
    }

    [Fact]
    public async Task FirstStart_RootKeyFromEnvironment_IsTheRootKey()
    {
        const string Id = "AKIASTRATUSROOTKEY01";
        const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        var variables = new Dictionary<string, string> { [TenancyEnvironment.RootAccessKeyId] = Id, [TenancyEnvironment.RootSecretAccessKey] = Secret };
        var options = new StratusOptions();
        TenancyEnvironment.Apply(options, name => variables.GetValueOrDefault(name));

        await using var server = await StartAsync(o => (o.RootAccessKeyId, o.RootSecretAccessKey) = (options.RootAccessKeyId, options.RootSecretAccessKey));

        var lookup = server.Services.GetRequiredService<ISecretLookup>();
        Assert.True(lookup.TryGetSecret(Id, out var secret, out var account));
        Assert.Equal(Secret, secret);
        Assert.Equal(StratusOptions.DefaultAccountId, account);
        Assert.Contains($"aws_secret_access_key = {Secret}", await File.ReadAllTextAsync(Path.Combine(_data, RootAccount.CredentialsFileName)));
        Assert.DoesNotContain(Secret, _console.ToString());
        Assert.DoesNotContain(Secret, _logs.Text);
    }

    [Fact]
    public void Validate_BadRootKeyOrMasterKey_SaysWhatIsWrongWithoutTheValue()
    {
        var half = new StratusOptions { RootAccessKeyId = "AKIASTRATUSROOTKEY01" };
        var shortSecret = new StratusOptions { RootAccessKeyId = "AKIASTRATUSROOTKEY01", RootSecretAccessKey = "tooShortSecretValue" };
        var badMaster = new StratusOptions { MasterKey = "bm90LTMyLWJ5dGVz" };

        Assert.Equal("STRATUS_ROOT_ACCESS_KEY_ID and STRATUS_ROOT_SECRET_ACCESS_KEY must be set together", half.Validate());
        Assert.Contains("STRATUS_ROOT_SECRET_ACCESS_KEY must be 40 characters", shortSecret.Validate());
        Assert.DoesNotContain("tooShortSecretValue", shortSecret.Validate());
        Assert.Contains("STRATUS_MASTER_KEY must be 32 bytes in base64", badMaster.Validate());
        Assert.DoesNotContain("bm90LTMyLWJ5dGVz", badMaster.Validate());
    }

    [Fact]
    public async Task Start_WrongMasterKeyForStoredSecrets_FailsStartup()
    {
        await using (await StartAsync())
        {
        }

        var error = await Assert.ThrowsAsync<TenancyStartupException>(() => StartAsync(o => o.MasterKey = Convert.ToBase64String(new byte[32])));

        Assert.Contains("master key is not the one", error.Message);
    }

    [Fact]
    public async Task Start_InsecureAnySignature_WarnsOnConsoleAndLog()
    {
        await using var server = await StartAsync(o => o.InsecureAnySignature = true);

        Assert.Contains("WARNING: --insecure-any-signature is on", _console.ToString());
        Assert.Contains("INSECURE", _logs.Text);
    }

    [Fact]
    public async Task AccountApi_CreateListDisableEnable_KeysShowTheSecretOnlyOnCreation()
    {
        await using var server = await StartAsync();
        using var http = RootClient(server);
        var lookup = server.Services.GetRequiredService<ISecretLookup>();

        var created = await SendAsync(http, HttpMethod.Post, "/stratus/v1/accounts", """{"Name":"team-a","Quotas":{"ConcurrencyLimit":50,"MaxFunctions":20}}""");
        var id = (string)created.Json!["AccountId"]!;
        var key = await SendAsync(http, HttpMethod.Post, $"/stratus/v1/accounts/{id}/keys");
        var keyId = (string)key.Json!["AccessKeyId"]!;
        var secret = (string)key.Json["SecretAccessKey"]!;
        var keys = await SendAsync(http, HttpMethod.Get, $"/stratus/v1/accounts/{id}/keys");
        var usable = lookup.TryGetSecret(keyId, out var looked, out _);
        var disabled = await SendAsync(http, HttpMethod.Post, $"/stratus/v1/accounts/{id}/disable");
        var whileDisabled = lookup.TryGetSecret(keyId, out _, out _);
        var enabled = await SendAsync(http, HttpMethod.Post, $"/stratus/v1/accounts/{id}/enable");
        var deactivated = await SendAsync(http, HttpMethod.Post, $"/stratus/v1/accounts/{id}/keys/{keyId}/deactivate");
        var whileInactive = lookup.TryGetSecret(keyId, out _, out _);
        var deleted = await SendAsync(http, HttpMethod.Delete, $"/stratus/v1/accounts/{id}/keys/{keyId}");
        var missing = await SendAsync(http, HttpMethod.Delete, $"/stratus/v1/accounts/{id}/keys/{keyId}");
        var unknown = await SendAsync(http, HttpMethod.Get, "/stratus/v1/accounts/123456789012");
        var invalid = await SendAsync(http, HttpMethod.Post, "/stratus/v1/accounts", """{"Name":"bad name!"}""");
        var rootDisable = await SendAsync(http, HttpMethod.Post, $"/stratus/v1/accounts/{StratusOptions.DefaultAccountId}/disable");
        var list = await SendAsync(http, HttpMethod.Get, "/stratus/v1/accounts");
        var got = await SendAsync(http, HttpMethod.Get, $"/stratus/v1/accounts/{id}");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("ACTIVE", (string)created.Json["Status"]!);
        Assert.Equal(50, (int)created.Json["Quotas"]!["ConcurrencyLimit"]!);
        Assert.Equal(HttpStatusCode.Created, key.Status);
        Assert.Equal(40, secret.Length);
        Assert.DoesNotContain(secret, keys.Body);
        Assert.Null(keys.Json!["AccessKeys"]![0]!["SecretAccessKey"]);
        Assert.Equal("Active", (string)keys.Json["AccessKeys"]![0]!["Status"]!);
        Assert.True(usable);
        Assert.Equal(secret, looked);
        Assert.Equal("DISABLED", (string)disabled.Json!["Status"]!);
        Assert.False(whileDisabled);
        Assert.Equal("ACTIVE", (string)enabled.Json!["Status"]!);
        Assert.Equal("Inactive", (string)deactivated.Json!["Status"]!);
        Assert.False(whileInactive);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Equal(HttpStatusCode.Conflict, rootDisable.Status);
        Assert.Equal(2, list.Json!["Accounts"]!.AsArray().Count);
        Assert.DoesNotContain(secret, got.Body + list.Body + deactivated.Body);
        Assert.DoesNotContain(secret, _logs.Text);
        Assert.Contains(keyId, _logs.Text);
    }

    [Fact]
    public async Task Cli_AccountAndKeyVerbs_WorkAsAUserExpects()
    {
        await using var server = await StartAsync();
        var endpoint = server.Address.GetLeftPart(UriPartial.Authority);

        var created = await StratusAsync(endpoint, "account", "create", "team-b", "--max-functions", "7", "--json");
        var id = (string)JsonNode.Parse(created.Stdout)!["AccountId"]!;
        var key = await StratusAsync(endpoint, "key", "create", id);
        var keyId = Line(key.Stdout, "aws_access_key_id").Trim();
        var table = await StratusAsync(endpoint, "account", "list");
        var shown = await StratusAsync(endpoint, "account", "get", id);
        var disabled = await StratusAsync(endpoint, "account", "disable", id, "--json");
        var enabled = await StratusAsync(endpoint, "account", "enable", id, "--json");
        var keys = await StratusAsync(endpoint, "key", "list", id);
        var deactivated = await StratusAsync(endpoint, "key", "deactivate", id, keyId);
        var deleted = await StratusAsync(endpoint, "key", "delete", id, keyId);
        var gone = await StratusAsync(endpoint, "key", "delete", id, keyId);

        Assert.Equal(0, created.ExitCode);
        Assert.Equal(0, key.ExitCode);
        Assert.Matches("^AKIA[A-Z2-7]{16}$", keyId);
        Assert.Matches("aws_secret_access_key +[A-Za-z0-9+/]{40}", key.Stdout);
        Assert.Contains("shown this once", key.Stdout);
        Assert.Contains("team-b", table.Stdout);
        Assert.Contains("root", table.Stdout);
        Assert.Contains("Function quota", shown.Stdout);
        Assert.Contains("7", shown.Stdout);
        Assert.Equal("DISABLED", (string)JsonNode.Parse(disabled.Stdout)!["Status"]!);
        Assert.Equal("ACTIVE", (string)JsonNode.Parse(enabled.Stdout)!["Status"]!);
        Assert.Contains(keyId, keys.Stdout);
        Assert.Contains("Active", keys.Stdout);
        Assert.Contains($"Deactivated access key {keyId}", deactivated.Stdout);
        Assert.Contains($"Deleted access key {keyId}", deleted.Stdout);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("ResourceNotFoundException", gone.Stderr);
    }

    private Task<StratusServer> StartAsync(Action<StratusOptions>? configure = null) =>
        StratusServer.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0),
            options =>
            {
                options.DataDirectory = _data;
                options.StandbyRuntimes = 0;
                configure?.Invoke(options);
            },
            logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace),
            services => services.AddSingleton(new TenancyConsole(_console)));

    private async Task<string> Get(StratusServer server, string path)
    {
        using var http = RootClient(server);
        return await http.GetStringAsync(path);
    }

    /// <summary>A client signing with the root key the first start wrote to the credentials file.</summary>
    private HttpClient RootClient(StratusServer server)
    {
        var credentials = File.ReadAllText(Path.Combine(_data, RootAccount.CredentialsFileName));
        return TestCredentials.Client(server.Address, Line(credentials, "aws_access_key_id = "), Line(credentials, "aws_secret_access_key = "));
    }

    private static async Task<(HttpStatusCode Status, string Body, JsonNode? Json)> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static string Line(string text, string prefix) =>
        text.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

    /// <summary>The CLI as the first start tells a user to run it: with the credentials file's [stratus] profile.</summary>
    private Task<ExternalTool.Output> StratusAsync(string endpoint, params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "stratus.dll"), .. args, "--endpoint", endpoint], new Dictionary<string, string>
        {
            ["NO_COLOR"] = "1",
            ["COLUMNS"] = "200",
            ["AWS_ACCESS_KEY_ID"] = "",
            ["AWS_SECRET_ACCESS_KEY"] = "",
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_data, RootAccount.CredentialsFileName),
            ["AWS_PROFILE"] = RootAccount.Profile,
        });

    /// <summary>Keeps every formatted log line, with its arguments, so a test can look for a secret in them.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(_lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var arguments = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {arguments} {exception}");
            }
        }
    }
}
