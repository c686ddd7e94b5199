using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stratus.Hosting;

namespace Stratus.Tenancy;

/// <summary>Who sent a request: the account its access key belongs to, and whether that is the root (admin) account.</summary>
public sealed record Caller(string AccountId, string AccessKeyId, bool IsRoot);

public static class CallerExtensions
{
    /// <summary>
    /// The authenticated caller of this request. Requests that were not authenticated (the development
    /// mode, internal calls) act as the server's root account.
    /// </summary>
    public static Caller GetCaller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<Caller>() is { } caller)
        {
            return caller;
        }

        var options = context.RequestServices.GetRequiredService<IOptions<StratusOptions>>().Value;
        return new Caller(options.AccountId, "", IsRoot: true);
    }

    internal static void SetCaller(this HttpContext context, Caller caller) => context.Features.Set(caller);
}
