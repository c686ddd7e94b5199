using Stratus.Tests.Infrastructure;

namespace Stratus.Tests.DevLoop;

/// <summary>What each developer-loop test starts from: a real server and an empty folder to make projects in.</summary>
public abstract class ServerWorkspace : IAsyncLifetime
{
    protected StratusHost Host { get; private set; } = null!;

    protected string Work { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Host = await StratusHost.StartAsync();
        Work = Directory.CreateTempSubdirectory("stratus-devloop-").FullName;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Directory.Delete(Work, recursive: true);
    }
}
