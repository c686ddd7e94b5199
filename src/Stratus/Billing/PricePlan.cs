using System.Text.Json;
using System.Text.Json.Serialization;

namespace Stratus.Billing;

/// <summary>
/// What an account pays, per calendar month (UTC): a price per million requests and per GB-second,
/// after a monthly free tier; a runtime may have prices of its own. The default is Lambda's public
/// on-demand x86 price in us-east-1 with its monthly free tier (1 million requests, 400,000 GB-seconds).
/// </summary>
public sealed class PricePlan
{
    public const decimal LambdaRequestsPerMillion = 0.20m;
    public const decimal LambdaGbSecond = 0.0000166667m;
    public const long LambdaFreeRequests = 1_000_000;
    public const decimal LambdaFreeGbSeconds = 400_000m;
    private const int MaxRuntimes = 64;

    public string Currency { get; set; } = "USD";

    public decimal RequestsPerMillion { get; set; } = LambdaRequestsPerMillion;

    public decimal GbSecond { get; set; } = LambdaGbSecond;

    /// <summary>Requests free each month, per account.</summary>
    public long FreeRequests { get; set; } = LambdaFreeRequests;

    /// <summary>GB-seconds free each month, per account.</summary>
    public decimal FreeGbSeconds { get; set; } = LambdaFreeGbSeconds;

    /// <summary>Prices of their own for some runtimes (by identifier, e.g. <c>python3.12</c>); the rest pay the plan's.</summary>
    public Dictionary<string, RuntimePrice> Runtimes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Reads a plan from JSON (the fields above; any left out keep Lambda's value).</summary>
    public static PricePlan Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, PricePlanJson.Default.PricePlan) ?? throw new JsonException("the plan is null");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the price plan is not valid JSON of a plan: {ex.Message}", ex);
        }
    }

    /// <summary>What is wrong with the plan, or "".</summary>
    public string Validate()
    {
        if (Currency is not { Length: 3 } || !Currency.All(char.IsAsciiLetterUpper))
        {
            return "the price plan's Currency must be a three-letter ISO 4217 code such as USD";
        }

        if (RequestsPerMillion < 0 || GbSecond < 0 || FreeRequests < 0 || FreeGbSeconds < 0)
        {
            return "the price plan's prices and free tier must not be negative";
        }

        if (Runtimes.Count > MaxRuntimes)
        {
            return $"the price plan may price at most {MaxRuntimes} runtimes on their own";
        }

        foreach (var (runtime, price) in Runtimes)
        {
            if (runtime.Length is 0 or > 32 || price is null || price.RequestsPerMillion is < 0 || price.GbSecond is < 0)
            {
                return $"the price plan's runtime '{runtime}' needs a name of 1 to 32 characters and prices that are not negative";
            }
        }

        return "";
    }

    /// <summary>The runtimes priced on their own, in a fixed order (ordinal): the order the free tier is used in after the plan's own prices.</summary>
    public IReadOnlyList<string> PricedRuntimes() => [.. Runtimes.Keys.Order(StringComparer.Ordinal)];

    public decimal RequestPrice(string? runtime) => runtime is not null && Runtimes.TryGetValue(runtime, out var own) && own.RequestsPerMillion is { } price ? price : RequestsPerMillion;

    public decimal ComputePrice(string? runtime) => runtime is not null && Runtimes.TryGetValue(runtime, out var own) && own.GbSecond is { } price ? price : GbSecond;
}

[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(PricePlan))]
internal sealed partial class PricePlanJson : JsonSerializerContext;
