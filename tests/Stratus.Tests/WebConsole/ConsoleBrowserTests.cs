using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stratus.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Stratus.Tests.WebConsole;

/// <summary>
/// The web console in a real headless Chromium (Debian's, driven by Playwright): a user signs in with an
/// access key, sees a function deployed through the API, invokes it, and watches its logs and charts
/// update. Screenshots are kept under tests/artifacts.
/// </summary>
public sealed partial class ConsoleBrowserTests : IAsyncLifetime
{
    // The test servers' root key (what StratusHost starts every server with) is the one signed in with.
    private const string AccessKeyId = TestCredentials.AccessKeyId;
    private const string Secret = TestCredentials.Secret;
    private const string Chromium = "/usr/bin/chromium";

    private StratusHost _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public static string Artifacts { get; } = Path.Combine(
        AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/tests/", StringComparison.Ordinal)], "tests", "artifacts");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/test.sh installs the chromium package");
        _host = await StratusHost.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Tests run as root, where Chromium's own sandbox cannot start.
            Args = ["--no-sandbox"],
        });
        Directory.CreateDirectory(Artifacts);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Console_SignInInvokeAndWatch_LogsAndChartsUpdate()
    {
        var page = await DeployAndSignInAsync("greeter", "exports.handler = async (e) => { console.log('hello', e.name); return { greeting: `hi ${e.name}` }; };");

        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "greeter" });
        await Expect(row).ToContainTextAsync("nodejs20.x");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "console-functions.png"), FullPage = true });
        await AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Link, new() { Name = "greeter" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "greeter", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#live-state")).ToHaveTextAsync("Live");
        await Expect(page.Locator("#chart-invocations")).ToHaveAttributeAsync("data-total", "0");

        await page.GetByLabel("Event payload (JSON)").FillAsync("""{"name":"browser"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Invoke" }).ClickAsync();

        var status = page.Locator("#invoke-status");
        await Expect(status).ToContainTextAsync("Succeeded");
        await Expect(page.Locator("#invoke-output")).ToContainTextAsync("hi browser");
        await Expect(page.Locator("#invoke-log")).ToContainTextAsync("hello browser");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("[object");
        var requestId = await status.GetAttributeAsync("data-request-id");
        Assert.Matches(RequestIdPattern(), requestId);
        var entry = page.Locator($"#live-logs li[data-request-id='{requestId}']");
        await Expect(entry).ToContainTextAsync("hello browser");
        await Expect(entry).ToContainTextAsync($"REPORT RequestId: {requestId}");
        await Expect(page.Locator("#chart-invocations")).ToHaveAttributeAsync("data-total", "1");
        await Expect(page.Locator("#chart-cold-starts")).ToHaveAttributeAsync("data-total", "1");
        await Expect(page.Locator("#chart-errors")).ToHaveAttributeAsync("data-total", "0");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "console-function.png"), FullPage = true });
        await AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Console_LogsFromOtherCallers_ArriveLive()
    {
        var page = await DeployAndSignInAsync("ticker", "exports.handler = async (e) => { console.log('tick', e.n); return e.n; };");
        await page.GotoAsync(_host.Endpoint + "/console/#/functions/ticker");
        await Expect(page.Locator("#live-state")).ToHaveTextAsync("Live");

        // Invoked through the API, not the page: the line reaches the page only through the live stream.
        await _host.InvokeAsync("ticker", """{"n":41}""");
        await _host.InvokeAsync("ticker", """{"n":42}""");

        await Expect(page.Locator("#live-logs")).ToContainTextAsync("tick 42");
        await Expect(page.Locator("#live-logs li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#chart-invocations")).ToHaveAttributeAsync("data-total", "2");
    }

    [Fact]
    public async Task Console_FunctionWithReleases_ShowsVersionsAndAliasWeights()
    {
        var page = await DeployAndSignInAsync("released", "exports.handler = async () => 1;");
        await SendAsync(HttpMethod.Post, "/2015-03-31/functions/released/versions", """{"Description":"first cut"}""");
        await SendAsync(HttpMethod.Put, "/2015-03-31/functions/released/configuration", """{"Timeout":5}""");
        await SendAsync(HttpMethod.Post, "/2015-03-31/functions/released/versions", "{}");
        await SendAsync(HttpMethod.Post, "/2015-03-31/functions/released/aliases",
            """{"Name":"live","FunctionVersion":"1","RoutingConfig":{"AdditionalVersionWeights":{"2":0.25}}}""");

        await page.GotoAsync(_host.Endpoint + "/console/#/functions/released");

        var versions = page.GetByRole(AriaRole.Table, new() { Name = "Published versions" });
        await Expect(versions.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync(["1", "2"]);
        await Expect(versions).ToContainTextAsync("first cut");
        var alias = page.GetByRole(AriaRole.Table, new() { Name = "Aliases" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "live" });
        await Expect(alias).ToContainTextAsync("2: 0.25");
        await AssertAccessibleAsync(page);
    }

    [Theory]
    [InlineData("Usage", "No usage data: no invocations in the last 30 days.")]
    [InlineData("Schedules", "No schedules.")]
    [InlineData("Queues", "No queues.")]
    public async Task Console_PageWithNothingYet_SaysSo(string link, string shown)
    {
        var page = await NewPageAsync();
        await SignInWithKeyboardAsync(page);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = link }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = link, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync(shown);
        await AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Console_UsageFromLedger_TableAndDailyCharts()
    {
        await using var host = await StratusHost.StartAsync(
            services: services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, FakeUsageEndpoint>());
        var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.Endpoint + "/console/#/usage");
        await SignInWithKeyboardAsync(page, expectedHeading: "Usage");

        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "greeter" });
        await Expect(row).ToContainTextAsync("4000");
        // 4,000 requests at $0.20 per million and 14 GB-seconds at $0.0000166667 each.
        await Expect(row).ToContainTextAsync("$0.001033");
        await Expect(page.Locator("#chart-usage-requests")).ToHaveAttributeAsync("data-total", "4000");
        await Expect(page.Locator("#chart-usage-gbs")).ToHaveAttributeAsync("data-total", "14");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "console-usage.png"), FullPage = true });
        await AssertAccessibleAsync(page);
    }

    [Fact]
    public async Task Console_SignOut_ForgetsTheKey()
    {
        var page = await NewPageAsync();
        await SignInWithKeyboardAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByLabel("Access key ID")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        Assert.Equal("null", await page.EvaluateAsync<string>("() => String(sessionStorage.getItem('stratus.credentials'))"));
    }

    /// <summary>No WCAG 2 A/AA violation that axe-core finds on the page as it is now.</summary>
    private static async Task AssertAccessibleAsync(IPage page)
    {
        var results = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa"] } });
        Assert.True(results.Violations.Length == 0, string.Join("\n", results.Violations.Select(v =>
            $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
    }

    /// <summary>A node function deployed through the API, then a page signed in to the console.</summary>
    private async Task SendAsync(HttpMethod method, string path, string body)
    {
        using var response = await _host.Http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") });
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<IPage> DeployAndSignInAsync(string name, string code)
    {
        await _host.CreateFunctionAsync(name, "nodejs20.x", "index.handler", Zips.Create(("index.js", code)));
        var page = await NewPageAsync();
        await SignInWithKeyboardAsync(page);
        return page;
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_host.Endpoint + "/console");
        return page;
    }

    /// <summary>Signs in with the keyboard alone: the key field has focus, Tab moves on, Enter submits.</summary>
    private static async Task SignInWithKeyboardAsync(IPage page, string expectedHeading = "Functions")
    {
        await Expect(page.GetByLabel("Access key ID")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(AccessKeyId);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(Secret);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = expectedHeading, Level = 1 })).ToBeVisibleAsync();
    }

    [GeneratedRegex("^[0-9a-f-]{36}$")]
    private static partial Regex RequestIdPattern();
}
