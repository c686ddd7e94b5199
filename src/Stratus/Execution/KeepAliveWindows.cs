namespace Stratus.Execution;

/// <summary>
/// What a function's keep-alive policy decided. With no pre-warm window, an instance that goes idle
/// is kept for <see cref="KeepAlive"/>. With one, instances are let go as soon as they are idle, and
/// one instance is started <see cref="PreWarm"/> after the function became idle, then kept idle for
/// <see cref="KeepAlive"/> from when it is ready. <see cref="Fallback"/> says why the fixed keep-alive
/// applies; null when the windows come from the function's idle-time histogram.
/// </summary>
internal readonly record struct KeepAliveWindows(TimeSpan PreWarm, TimeSpan KeepAlive, string? Fallback)
{
    public bool PreWarms => PreWarm > TimeSpan.Zero;

    /// <summary>How long an idle instance is kept; <paramref name="startedAhead"/> for one pre-warmed and not used yet.</summary>
    public TimeSpan IdleLimit(bool startedAhead) => startedAhead || !PreWarms ? KeepAlive : TimeSpan.Zero;
}
