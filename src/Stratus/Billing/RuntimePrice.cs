namespace Stratus.Billing;

/// <summary>A runtime's own prices; one left out is the plan's.</summary>
public sealed class RuntimePrice
{
    public decimal? RequestsPerMillion { get; set; }

    public decimal? GbSecond { get; set; }
}
