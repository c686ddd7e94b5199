using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.Billing;

namespace Stratus.Api;

/// <summary>
/// <c>GET /stratus/v1/usage?from=&amp;to=&amp;function=&amp;groupBy=day|function</c>: the ledger's totals
/// (requests, billed milliseconds, GB-seconds) per UTC day or per function. <c>from</c> and <c>to</c>
/// are dates (yyyy-MM-dd, <c>to</c> inclusive) or UTC instants (<c>to</c> exclusive); by default the
/// last 30 days up to now. A caller sees its own account's usage; root may name any with <c>account=</c>.
/// </summary>
internal static class UsageApi
{
    private const int MaxRangeDays = 366;
    private const int DefaultRangeDays = 30;
    private const int MaxQueryLength = 64;

    public static void MapUsageApi(this IEndpointRouteBuilder endpoints) => endpoints.MapGet("/stratus/v1/usage", Get);

    private static IResult Get(HttpContext context, UsageLedger ledger, TimeProvider time)
    {
        var request = context.Request;
        var to = ParseInstant(request, "to", endOfDay: true) ?? time.GetUtcNow();
        var from = ParseInstant(request, "from", endOfDay: false) ?? to.AddDays(-DefaultRangeDays);
        if (from >= to || to - from > TimeSpan.FromDays(MaxRangeDays))
        {
            throw LambdaException.InvalidParameter($"from must be before to, at most {MaxRangeDays} days apart");
        }

        // A name or an ARN, as everywhere else in the API.
        var function = Read(request, "function") is { } named ? Functions.FunctionArn.Parse(named).Name : null;

        var groupBy = Read(request, "groupBy") switch
        {
            null or "day" => UsageGrouping.Day,
            "function" => UsageGrouping.Function,
            _ => throw LambdaException.InvalidParameter("groupBy must be day or function"),
        };

        var account = BillingAccess.AccountFor(context, Read(request, "account"));
        var groups = ledger.Totals(new UsageQuery(account, from, to, function, groupBy));
        var output = new UsageResponse(
            account,
            Format(from),
            Format(to),
            groupBy == UsageGrouping.Day ? "day" : "function",
            function,
            groups.Select(g => new UsageGroupOutput(g.Key, g.Requests, g.BilledMs, g.GbSeconds)).ToList(),
            new UsageGroupOutput("total", groups.Sum(g => g.Requests), groups.Sum(g => g.BilledMs), Usage.GbSeconds(groups.Sum(g => g.MegabyteMilliseconds))));
        return ControlApi.Json(output, UsageJson.Default.UsageResponse);
    }

    internal static string? Read(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        if (value.Length > MaxQueryLength)
        {
            throw LambdaException.InvalidParameter($"{name} is longer than {MaxQueryLength} characters");
        }

        return value.Length == 0 ? null : value;
    }

    private static DateTimeOffset? ParseInstant(HttpRequest request, string name, bool endOfDay)
    {
        if (Read(request, name) is not { } text)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            // A day named as the end of a range counts in full.
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1) : start;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant;
        }

        throw LambdaException.InvalidParameter($"{name} must be a date (yyyy-MM-dd) or an ISO 8601 instant, not {text}");
    }

    private static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}

internal sealed record UsageResponse(string AccountId, string From, string To, string GroupBy, string? Function, IReadOnlyList<UsageGroupOutput> Groups, UsageGroupOutput Total);

internal sealed record UsageGroupOutput(string Key, long Requests, long BilledMs, decimal GbSeconds);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UsageResponse))]
internal sealed partial class UsageJson : JsonSerializerContext;
