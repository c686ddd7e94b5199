using System.Text.Json;
using Microsoft.Extensions.Logging;
using Stratus.Invocation;
using Stratus.Storage;

namespace Stratus.Events;

/// <summary>
/// Holds every schedule in memory (written through to the store) and fires their ticks: one loop,
/// one priority queue of next fire times, one timer. See Scheduler.Loop.cs for the firing.
/// </summary>
internal sealed partial class Scheduler : IAsyncDisposable
{
    public const int MaxInputBytes = 8192;
    public const int MaxSchedules = 100_000;

    private readonly IScheduleStore _store;
    private readonly IAsyncInvocations _invocations;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _region;
    private readonly string _accountId;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public Scheduler(IScheduleStore store, IAsyncInvocations invocations, string region, string accountId, TimeProvider time, ILogger<Scheduler> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(invocations);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _invocations = invocations;
        _region = region;
        _accountId = accountId;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(_ => Wake(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Raised after each pass's firings are stored: what tests and the benchmark wait on.</summary>
    public event Action<IReadOnlyList<ScheduleFiring>>? Fired;

    /// <summary>A schedule's ARN, in the account of the function it targets (the schedule's owner).</summary>
    public string Arn(ScheduleDefinition schedule) => ScheduledEvent.ScheduleArn(_region, OwnerOf(schedule), schedule.Name);

    private string OwnerOf(ScheduleDefinition schedule) => Tenancy.ScopedNames.Owner(schedule.Target.FunctionName, _accountId);

    /// <summary>Creates or replaces a schedule. Replacing keeps its last firing; a new expression or zone, or enabling it, starts counting ticks now.</summary>
    public ScheduleView Put(string name, string expression, string? timeZone, ScheduleState state, ScheduleTarget target, MissedTicks missedTicks)
    {
        ArgumentNullException.ThrowIfNull(target);
        ValidateName(name);
        var zone = string.IsNullOrEmpty(timeZone) ? "UTC" : timeZone;
        var parsed = ScheduleExpression.Parse(expression, timeZone);
        if (target.Input is { } input)
        {
            ValidateInput(input);
        }

        lock (_lock)
        {
            var now = _time.GetUtcNow();
            _entries.TryGetValue(name, out var existing);
            if (existing is null && _entries.Count >= MaxSchedules)
            {
                throw ScheduleErrors.Validation($"At most {MaxSchedules} schedules may exist; delete some first.");
            }

            var old = existing?.Definition;
            var restart = old is null || old.ScheduleExpression != expression || old.ScheduleExpressionTimezone != zone
                || (old.State == ScheduleState.Disabled && state == ScheduleState.Enabled);
            var definition = new ScheduleDefinition(
                name, expression, zone, state, target, missedTicks,
                old?.CreationDate ?? now, now, restart ? now : old!.Anchor);
            _store.Put(definition);
            var entry = existing ?? new Entry(definition, parsed);
            entry.Definition = definition;
            entry.Expression = parsed;
            _entries[name] = entry;
            Arm(entry, now);
            return View(entry, now);
        }
    }

    public bool TryGet(string name, out ScheduleView view)
    {
        lock (_lock)
        {
            view = _entries.TryGetValue(name, out var entry) ? View(entry, _time.GetUtcNow()) : default!;
            return entry is not null;
        }
    }

    public ScheduleView Get(string name)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(name, out var entry) ? View(entry, _time.GetUtcNow()) : throw ScheduleErrors.NotFound(name);
        }
    }

    /// <summary>Schedules in name order after <paramref name="after"/>, at most <paramref name="limit"/>, optionally only names starting with a prefix.</summary>
    public IReadOnlyList<ScheduleView> List(string? prefix, string? after, int limit, Func<ScheduleDefinition, bool>? visible = null)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            return _entries.Values
                .Where(e => (prefix is null || e.Definition.Name.StartsWith(prefix, StringComparison.Ordinal)) && (after is null || string.CompareOrdinal(e.Definition.Name, after) > 0))
                .Where(e => visible is null || visible(e.Definition))
                .OrderBy(e => e.Definition.Name, StringComparer.Ordinal)
                .Take(limit)
                .Select(e => View(e, now))
                .ToList();
        }
    }

    public void Delete(string name)
    {
        lock (_lock)
        {
            if (!_entries.Remove(name, out var entry))
            {
                throw ScheduleErrors.NotFound(name);
            }

            entry.Version++;
            _store.Delete(name);
        }
    }

    public ScheduleView SetState(string name, ScheduleState state)
    {
        ScheduleDefinition definition;
        lock (_lock)
        {
            definition = _entries.TryGetValue(name, out var entry) ? entry.Definition : throw ScheduleErrors.NotFound(name);
        }

        return definition.State == state
            ? Get(name)
            : Put(name, definition.ScheduleExpression, definition.ScheduleExpressionTimezone, state, definition.Target, definition.MissedTicks);
    }

    private static ScheduleView View(Entry entry, DateTimeOffset now)
    {
        var next = new List<DateTimeOffset>(3);
        if (entry.Definition.State == ScheduleState.Enabled)
        {
            var after = Max(now, entry.Definition.Anchor);
            while (next.Count < 3 && entry.Expression.NextAfter(after, entry.Definition.Anchor) is { } tick)
            {
                next.Add(tick);
                after = tick;
            }
        }

        return new ScheduleView(entry.Definition, entry.LastFiring, next);
    }

    private static void ValidateName(string name)
    {
        if (name.Length is < 1 or > 64 || name.AsSpan().ContainsAnyExcept(NameCharacters))
        {
            throw ScheduleErrors.Validation($"Invalid schedule name '{name}': use 1-64 letters, digits, '.', '-' or '_'.");
        }
    }

    private static void ValidateInput(string input)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(input) > MaxInputBytes)
        {
            throw ScheduleErrors.Validation($"Target Input must be at most {MaxInputBytes} bytes.");
        }

        try
        {
            using var document = JsonDocument.Parse(input);
        }
        catch (JsonException ex)
        {
            throw ScheduleErrors.Validation("Target Input must be valid JSON: " + ex.Message);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    private sealed class Entry(ScheduleDefinition definition, ScheduleExpression expression)
    {
        public ScheduleDefinition Definition { get; set; } = definition;

        public ScheduleExpression Expression { get; set; } = expression;

        public ScheduleFiring? LastFiring { get; set; }

        /// <summary>Bumped on every change: queued ticks of an older version are dropped when they come up.</summary>
        public long Version { get; set; }
    }
}

/// <summary>A schedule as the API shows it: its definition, its last firing and its next three ticks.</summary>
internal sealed record ScheduleView(ScheduleDefinition Definition, ScheduleFiring? LastFiring, IReadOnlyList<DateTimeOffset> NextFireTimes);
