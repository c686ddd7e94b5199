using Stratus.Api;

namespace Stratus.Tests.Api;

public sealed class OffloadMiddlewareTests
{
    [Fact]
    public async Task LeaveIoThread_OnAThreadOfItsOwn_ContinuesOnTheThreadPool()
    {
        var continued = new TaskCompletionSource<bool>();
        var thread = new Thread(() => _ = HopAsync(continued));
        thread.Start();

        Assert.True(await continued.Task);
    }

    [Fact]
    public async Task LeaveIoThread_OnTheThreadPool_CompletesAtOnce()
    {
        var result = await Task.Run(() =>
        {
            var hop = OffloadMiddleware.LeaveIoThread();
            return hop.IsCompleted;
        });

        Assert.True(result);
    }

    private static async Task HopAsync(TaskCompletionSource<bool> continued)
    {
        Assert.False(Thread.CurrentThread.IsThreadPoolThread);
        await OffloadMiddleware.LeaveIoThread();
        continued.SetResult(Thread.CurrentThread.IsThreadPoolThread);
    }
}
