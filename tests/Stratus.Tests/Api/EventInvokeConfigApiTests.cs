using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Api;

/// <summary>The event invoke config API over HTTP: errors in Lambda's shape, durability, merges.</summary>
public sealed class EventInvokeConfigApiTests : IAsyncLifetime
{
    private const string ConfigPath = "/2019-09-25/functions/fn/event-invoke-config";
    private StratusHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync();
        await _host.CreateFunctionAsync("fn", "nodejs20.x", "index.handler", Zips.NodeEcho());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("""{"MaximumEventAgeInSeconds":59}""")]
    [InlineData("""{"MaximumEventAgeInSeconds":21601}""")]
    [InlineData("""{"MaximumRetryAttempts":-1}""")]
    [InlineData("""{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sns:us-east-1:000000000000:topic"}}}""")]
    public async Task Put_OutOfRange_InvalidParameterValueAndNothingStored(string body)
    {
        var (status, type, _) = await SendAsync(HttpMethod.Put, ConfigPath, body);
        var (getStatus, _, _) = await SendAsync(HttpMethod.Get, ConfigPath);

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException"), (status, type));
        Assert.Equal(HttpStatusCode.NotFound, getStatus);
    }

    [Fact]
    public async Task Put_UnknownFunctionOrField_NotFoundOrRejected()
    {
        var (missing, missingType, _) = await SendAsync(HttpMethod.Put, "/2019-09-25/functions/nope/event-invoke-config", "{}");
        var (unknown, _, _) = await SendAsync(HttpMethod.Put, ConfigPath, """{"Retries":1}""");
        var (delete, deleteType, _) = await SendAsync(HttpMethod.Delete, ConfigPath);

        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException"), (missing, missingType));
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException"), (delete, deleteType));
    }

    [Fact]
    public async Task Put_ThenRestart_ConfigurationIsStillThereAndPutReplacesIt()
    {
        await SendAsync(HttpMethod.Put, ConfigPath, """{"MaximumRetryAttempts":1,"DestinationConfig":{"OnSuccess":{"Destination":"arn:aws:sqs:us-east-1:000000000000:q"}}}""");
        await _host.Server.DisposeAsync();
        await using var restarted = await StratusHost.StartAsync(dataDirectory: _host.DataDirectory);
        var kept = JsonNode.Parse(await restarted.Http.GetStringAsync(ConfigPath))!;
        using var replace = await restarted.Http.PutAsync(ConfigPath, new StringContent("""{"MaximumEventAgeInSeconds":300}""", Encoding.UTF8, "application/json"));
        var replaced = JsonNode.Parse(await replace.Content.ReadAsStringAsync())!;

        Assert.Equal(1, (int?)kept["MaximumRetryAttempts"]);
        Assert.Equal("arn:aws:sqs:us-east-1:000000000000:q", (string?)kept["DestinationConfig"]!["OnSuccess"]!["Destination"]);
        Assert.Equal((2, 300), ((int?)replaced["MaximumRetryAttempts"], (int?)replaced["MaximumEventAgeInSeconds"]));
        Assert.Null(replaced["DestinationConfig"]!["OnSuccess"]!["Destination"]);
    }

    private async Task<(HttpStatusCode Status, string? ErrorType, string Body)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await _host.Http.SendAsync(request);
        var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.First() : null;
        return (response.StatusCode, type, await response.Content.ReadAsStringAsync());
    }
}
