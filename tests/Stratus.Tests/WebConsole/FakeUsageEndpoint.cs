using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Stratus.Tests.WebConsole;

/// <summary>
/// Answers <c>GET /stratus/v1/usage</c> as the usage ledger's API does (groups per function or per
/// day), so the console's usage page can be tested on a server without the ledger.
/// </summary>
public sealed class FakeUsageEndpoint : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, proceed) =>
        {
            if (context.Request.Path != "/stratus/v1/usage")
            {
                await proceed();
                return;
            }

            var byDay = context.Request.Query["groupBy"] == "day";
            var groups = byDay
                ? """[{"Key":"2026-11-27","Requests":1000,"BilledMs":5000,"GbSeconds":5.0},{"Key":"2026-11-28","Requests":3000,"BilledMs":9000,"GbSeconds":9.0}]"""
                : """[{"Key":"greeter","Requests":4000,"BilledMs":14000,"GbSeconds":14.0}]""";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$$"""
                {"AccountId":"000000000000","From":"2026-10-29T00:00:00.000Z","To":"2026-11-28T05:00:00.000Z","GroupBy":"{{{(byDay ? "day" : "function")}}}",
                 "Groups":{{{groups}}},"Total":{"Key":"total","Requests":4000,"BilledMs":14000,"GbSeconds":14.0}}
                """);
        });
        next(app);
    };
}
