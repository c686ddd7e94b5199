using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.Api;

/// <summary>The function URL control API's validation and options, over HTTP as any client sends them.</summary>
public sealed class FunctionUrlApiTests : IAsyncLifetime
{
    private StratusHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await StratusHost.StartAsync(options => options.PublicUrl = "https://functions.example.com/");
        await _host.CreateFunctionAsync("echo", "nodejs20.x", "index.handler", Zips.NodeEcho());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("""{"AuthType":"NONE","InvokeMode":"RESPONSE_STREAM"}""", "InvalidParameterValueException", "RESPONSE_STREAM")]
    [InlineData("""{"AuthType":"NONE","InvokeMode":"LATER"}""", "ValidationException", "invokeMode")]
    [InlineData("""{"AuthType":"NONE","Cors":{"MaxAge":86401}}""", "ValidationException", "cors.maxAge")]
    [InlineData("""{"AuthType":"NONE","Cors":{"AllowMethods":["GET","PUT","POST","HEAD","PATCH","DELETE","OPTIONS"]}}""", "ValidationException", "cors.allowMethods")]
    [InlineData("""{"AuthType":"NONE","Unknown":1}""", "InvalidRequestContentException", "Unknown")]
    [InlineData("""{"Cors":{}}""", "InvalidParameterValueException", "authType")]
    public async Task Create_BadInput_RefusedAndNothingStored(string body, string errorType, string mentions)
    {
        using var response = await _host.Http.PostAsync("/2021-10-31/functions/echo/url", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        using var get = await _host.Http.GetAsync("/2021-10-31/functions/echo/url");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(errorType, response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Contains(mentions, text);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Create_WithPublicUrl_FunctionUrlIsOnThePublicAddress()
    {
        using var response = await _host.Http.PostAsync("/2021-10-31/functions/echo/url", new StringContent("""{"AuthType":"NONE"}""", Encoding.UTF8, "application/json"));
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Matches("^https://functions\\.example\\.com/lambda-url/[a-z0-9]{32}/$", (string?)created["FunctionUrl"]);
        Assert.Equal("BUFFERED", (string?)created["InvokeMode"]);
        Assert.Null(created["LastModifiedTime"]);
    }

    [Fact]
    public async Task Update_CorsOnly_KeepsAuthTypeAndAddress()
    {
        using var create = await _host.Http.PostAsync("/2021-10-31/functions/echo/url", new StringContent("""{"AuthType":"AWS_IAM"}""", Encoding.UTF8, "application/json"));
        var created = JsonNode.Parse(await create.Content.ReadAsStringAsync())!;

        using var update = await _host.Http.PutAsync("/2021-10-31/functions/echo/url", new StringContent("""{"Cors":{"AllowOrigins":["*"]}}""", Encoding.UTF8, "application/json"));
        var updated = JsonNode.Parse(await update.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("AWS_IAM", (string?)updated["AuthType"]);
        Assert.Equal((string?)created["FunctionUrl"], (string?)updated["FunctionUrl"]);
        Assert.Equal("*", (string?)updated["Cors"]!["AllowOrigins"]![0]);
    }

    [Theory]
    [InlineData("fn.example.com")]
    [InlineData("ftp://fn.example.com")]
    [InlineData("https://fn.example.com/?x=1")]
    public void Validate_PublicUrlNotAnHttpAddress_SaysWhatToGive(string publicUrl)
    {
        var problem = new Stratus.Hosting.StratusOptions { PublicUrl = publicUrl }.Validate();

        Assert.StartsWith("--public-url must be an absolute http or https URL", problem);
    }

    [Fact]
    public async Task List_MaxItemsOutOfRange_Refused()
    {
        using var response = await _host.Http.GetAsync("/2021-10-31/functions/echo/urls?MaxItems=51");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Url_ExistingRoutes_StillAnswer()
    {
        using var health = await _host.Http.GetAsync("/health");
        var invoke = await _host.InvokeAsync("echo", """{"a":1}""");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("""{"echo":{"a":1}}""", invoke.Body);
    }
}
