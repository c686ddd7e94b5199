using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace Stratus.Api;

/// <summary>
/// Moves requests off the socket I/O thread unless their endpoint is marked <see cref="Inline"/>.
/// The server runs request code on the thread that completed its I/O (see StratusServer), and the
/// stratus server process completes socket I/O on the event loop thread itself: that saves a
/// thread hop per Invoke, but a handler that blocks there (SQLite, unpacking a zip) would stall
/// every connection. Only the Invoke path, which never blocks, stays inline.
/// </summary>
internal sealed class OffloadMiddleware
{
    /// <summary>Endpoint metadata: the handler never blocks, so it may run on the I/O thread.</summary>
    public static readonly object Inline = new InlineMarker();

    private readonly RequestDelegate _next;

    public OffloadMiddleware(RequestDelegate next) => _next = next;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<InlineMarker>() is null)
        {
            await LeaveIoThread();
        }

        await _next(context);
    }

    /// <summary>
    /// Continues on the thread pool when running on another thread (the socket event loop). A body
    /// read that had to wait resumes on the I/O thread, so readers call this again after reading.
    /// </summary>
    public static ThreadPoolHop LeaveIoThread() => default;

    private sealed class InlineMarker;

    /// <summary>Completes at once on a thread-pool thread; elsewhere it continues on the pool.</summary>
    public readonly struct ThreadPoolHop : ICriticalNotifyCompletion
    {
        public bool IsCompleted => Thread.CurrentThread.IsThreadPoolThread;

        public ThreadPoolHop GetAwaiter() => this;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) =>
            ThreadPool.QueueUserWorkItem(static action => action(), continuation, preferLocal: false);

        public void UnsafeOnCompleted(Action continuation) =>
            ThreadPool.UnsafeQueueUserWorkItem(static action => action(), continuation, preferLocal: false);
    }
}
