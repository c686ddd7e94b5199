namespace Stratus.Execution;

/// <summary>
/// Lambda's concurrency model on this node. The account limit is split into the reserved
/// concurrency of functions that have one, each usable by that function alone, and the unreserved
/// rest, shared by every other function; at least <see cref="MinimumUnreserved"/> always stays
/// unreserved. An invocation holds one unit from its pool while it is in flight.
/// </summary>
internal sealed class ConcurrencyLimits
{
    public const string AccountReason = "ConcurrentInvocationLimitExceeded";
    public const string ReservedReason = "ReservedFunctionConcurrentInvocationLimitExceeded";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _reserved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reservedInUse = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _tenantInUse = new(StringComparer.Ordinal);
    private readonly Func<string, int?> _tenantLimit;
    private int _reservedTotal;
    private int _unreservedInUse;

    /// <param name="tenantLimit">The concurrency quota of a tenant account, if it has one (the root account's functions are not counted).</param>
    public ConcurrencyLimits(int accountLimit, IReadOnlyDictionary<string, int> reservations, Func<string, int?>? tenantLimit = null)
    {
        _tenantLimit = tenantLimit ?? (_ => null);
        AccountLimit = accountLimit;
        // Lambda keeps 100 unreserved; a small test limit keeps a tenth of itself, at least 1.
        MinimumUnreserved = Math.Min(100, Math.Max(1, accountLimit / 10));
        foreach (var (function, reserved) in reservations)
        {
            _reserved[function] = reserved;
            _reservedTotal += reserved;
        }
    }

    public int AccountLimit { get; }

    public int MinimumUnreserved { get; }

    public int Unreserved
    {
        get
        {
            lock (_lock)
            {
                return AccountLimit - _reservedTotal;
            }
        }
    }

    public int? ReservedFor(string function)
    {
        lock (_lock)
        {
            return _reserved.TryGetValue(function, out var reserved) ? reserved : null;
        }
    }

    /// <summary>Sets (or with null, removes) a reservation; the error message when it would leave too little unreserved.</summary>
    public string? TryReserve(string function, int? reserved)
    {
        lock (_lock)
        {
            var current = _reserved.GetValueOrDefault(function);
            var total = _reservedTotal - current + (reserved ?? 0);
            if (reserved is not null && AccountLimit - total < MinimumUnreserved)
            {
                return $"Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{MinimumUnreserved}].";
            }

            _reservedTotal = total;
            if (reserved is { } value)
            {
                _reserved[function] = value;
            }
            else
            {
                _reserved.Remove(function);
            }

            return null;
        }
    }

    /// <summary>
    /// Takes a unit for one invocation of <paramref name="function"/>; the throttle reason when none is
    /// left. <paramref name="fromReserved"/> tells <see cref="Release"/> which pool to give it back to.
    /// </summary>
    public bool TryAcquire(string function, out bool fromReserved, out string reason)
    {
        fromReserved = false;
        var tenant = Tenant(function);
        var tenantLimit = tenant is null ? null : _tenantLimit(tenant);
        lock (_lock)
        {
            if (tenantLimit is { } quota && _tenantInUse.GetValueOrDefault(tenant!) >= quota)
            {
                reason = AccountReason;
                return false;
            }

            if (_reserved.TryGetValue(function, out var reserved))
            {
                var used = _reservedInUse.GetValueOrDefault(function);
                if (used >= reserved)
                {
                    reason = ReservedReason;
                    return false;
                }

                _reservedInUse[function] = used + 1;
                fromReserved = true;
            }
            else
            {
                if (_unreservedInUse >= AccountLimit - _reservedTotal)
                {
                    reason = AccountReason;
                    return false;
                }

                _unreservedInUse++;
            }

            if (tenantLimit is not null)
            {
                _tenantInUse[tenant!] = _tenantInUse.GetValueOrDefault(tenant!) + 1;
            }

            reason = "";
            return true;
        }
    }

    /// <summary>Gives back the unit an invocation took, to the pool it came from.</summary>
    public void Release(string function, bool fromReserved)
    {
        var tenant = Tenant(function);
        lock (_lock)
        {
            if (tenant is not null && _tenantInUse.TryGetValue(tenant, out var inUse))
            {
                if (inUse <= 1)
                {
                    _tenantInUse.Remove(tenant);
                }
                else
                {
                    _tenantInUse[tenant] = inUse - 1;
                }
            }

            if (fromReserved)
            {
                _reservedInUse[function] = _reservedInUse.GetValueOrDefault(function) - 1;
            }
            else
            {
                _unreservedInUse--;
            }
        }
    }

    /// <summary>The tenant account of a registry name (<c>account/name</c>); null for the root account's bare names.</summary>
    private static string? Tenant(string function)
    {
        var separator = function.IndexOf(Tenancy.ScopedNames.Separator);
        return separator < 0 ? null : function[..separator];
    }
}
