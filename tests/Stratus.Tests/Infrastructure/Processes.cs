namespace Stratus.Tests.Infrastructure;

public static class Processes
{
    /// <summary>True when the process is gone or a zombie; waits (bounded) for the kernel to finish killing it.</summary>
    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (!IsAlive(pid))
            {
                return true;
            }

            await Task.Yield();
            await Task.Delay(20);
        }

        return !IsAlive(pid);
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
