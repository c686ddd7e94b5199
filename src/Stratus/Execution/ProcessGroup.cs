using System.Runtime.InteropServices;

namespace Stratus.Execution;

/// <summary>
/// Each instance runs in a session and process group of its own (started through setsid), so one
/// signal to the group stops the runtime and everything it spawned, including orphaned children.
/// </summary>
internal static partial class ProcessGroup
{
    private const int SigKill = 9;

    public const string Setsid = "/usr/bin/setsid";

    public static void Kill(int processGroupId)
    {
        if (processGroupId > 1)
        {
            _ = SendSignal(-processGroupId, SigKill);
        }
    }

    public static void KillProcess(int pid)
    {
        if (pid > 1)
        {
            _ = SendSignal(pid, SigKill);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
