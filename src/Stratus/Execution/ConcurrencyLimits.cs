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
    private int _reservedTotal;
    private int _unreservedInUse;

    public ConcurrencyLimits(int accountLimit, IReadOnlyDictionary<string, int> reservations)
    {
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
        lock (_lock)
        {
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

            reason = "";
            return true;
        }
    }

    /// <summary>Gives back the unit an invocation took, to the pool it came from.</summary>
    public void Release(string function, bool fromReserved)
    {
        lock (_lock)
        {
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
}
