using System.Diagnostics;
using Stratus.Sandbox;

namespace Stratus.Tests.Sandbox;

/// <summary>
/// A slot's /var/task shows the function's code whichever comes first: the server attaching the code
/// or the slot's shell entering its mount namespace (a generic slot is handed out as soon as it has
/// started, so the server can be first).
/// </summary>
public sealed class SlotMountsTests : IDisposable
{
    private readonly string _root = Path.Combine("/run", "stratus-test-" + Guid.NewGuid().ToString("N"));
    private readonly string _code;
    private readonly string _runtimes;

    public SlotMountsTests()
    {
        _code = Path.Combine(_root, "code");
        _runtimes = Path.Combine(_root, "runtimes");
        Directory.CreateDirectory(_code);
        Directory.CreateDirectory(_runtimes);
        File.WriteAllText(Path.Combine(_code, "index.js"), "exports.handler = 1;\n");
    }

    public void Dispose()
    {
        SlotMounts.DetachAll(_root);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task CodeAttachedBeforeTheSlotEntersItsNamespace_IsOnVarTask()
    {
        using var mounts = SlotMounts.Create(Path.Combine(_root, "slot"));
        mounts.AttachCode(_code);

        var listing = await RunInSlotAsync(mounts);

        Assert.Equal("index.js", listing);
    }

    [Fact]
    public async Task CodeAttachedAfterTheSlotEnteredItsNamespace_IsOnVarTask()
    {
        using var mounts = SlotMounts.Create(Path.Combine(_root, "slot"));

        var listing = await RunInSlotAsync(mounts, attachWhenEntered: true);

        Assert.Equal("index.js", listing);
    }

    [Fact]
    public async Task RuntimesUnderTmp_AreOnVarRuntimeDespiteThePrivateTmp()
    {
        // A checkout (or an install) under /tmp: the slot's own /tmp must not hide its runtimes.
        var runtimes = Directory.CreateTempSubdirectory("stratus-runtimes-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(runtimes, "bootstrap.mjs"), "");
            using var mounts = SlotMounts.Create(Path.Combine(_root, "slot"));
            var command = Isolation.EnterSlot(mounts, runtimes, "ls /var/runtime", []).ToList();
            var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, UseShellExecute = false };
            command.Skip(1).ToList().ForEach(start.ArgumentList.Add);

            using var process = Process.Start(start)!;
            var listing = (await process.StandardOutput.ReadToEndAsync()).Trim();
            await process.WaitForExitAsync();

            Assert.Equal(0, process.ExitCode);
            Assert.Equal("bootstrap.mjs", listing);
        }
        finally
        {
            Directory.Delete(runtimes, recursive: true);
        }
    }

    // The slot's shell waits for a line on stdin (sent once the code is attached, when asked), then lists /var/task.
    private async Task<string> RunInSlotAsync(SlotMounts mounts, bool attachWhenEntered = false)
    {
        var command = Isolation.EnterSlot(mounts, _runtimes, "echo entered; read -r go; ls /var/task", []).ToList();
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        Assert.Equal("entered", await process.StandardOutput.ReadLineAsync());
        if (attachWhenEntered)
        {
            mounts.AttachCode(_code);
        }

        await process.StandardInput.WriteLineAsync("go");
        var listing = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        return listing;
    }
}
