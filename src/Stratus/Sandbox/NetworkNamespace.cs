using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Stratus.Sandbox;

/// <summary>
/// The network namespace of an instance that runs with no network access: nothing but a loopback
/// interface of its own. Its Runtime API still has to be reachable over TCP (AWS's runtime clients and
/// custom runtimes use AWS_LAMBDA_RUNTIME_API), so the server opens that listening socket inside the
/// namespace, from a thread that joins it for that one purpose (a network namespace, unlike a mount
/// namespace, can be joined by one thread of a process).
/// </summary>
internal static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Whether process <paramref name="pid"/> has left the server's network namespace.</summary>
    public static bool HasOwn(int pid)
    {
        try
        {
            // "net:[inode]": the same text for processes in the same namespace.
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget is { } own && own != new FileInfo("/proc/self/ns/net").LinkTarget;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Brings up the loopback interface of <paramref name="pid"/>'s namespace and listens on 127.0.0.1 there.</summary>
    public static Socket ListenInside(int pid, int backlog)
    {
        Socket? listener = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/proc/{pid}/ns/net");
                if (SetNamespace(handle, CloneNewNet) != 0)
                {
                    throw new IOException($"cannot join the network namespace of {pid}: errno {Marshal.GetLastPInvokeError()}");
                }

                BringLoopbackUp();
                listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(backlog);
            }
            catch (Exception ex)
            {
                listener?.Dispose();
                listener = null;
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "Stratus network namespace",
        };
        // The thread ends in the instance's namespace and is gone; no other code ever runs on it.
        thread.Start();
        thread.Join();
        return listener ?? throw new IOException("cannot listen in the instance's network namespace", failure);
    }

    private static unsafe void BringLoopbackUp()
    {
        const int SiocGetFlags = 0x8913;
        const int SiocSetFlags = 0x8914;
        const short Up = 0x1;
        var fd = Socket(2, 2, 0);
        if (fd < 0)
        {
            throw new IOException($"socket: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            // struct ifreq: the name (16 bytes), then a union whose first member is the flags.
            var request = stackalloc byte[40];
            new Span<byte>(request, 40).Clear();
            "lo"u8.CopyTo(new Span<byte>(request, 16));
            if (Ioctl(fd, SiocGetFlags, request) != 0)
            {
                throw new IOException($"SIOCGIFFLAGS lo: errno {Marshal.GetLastPInvokeError()}");
            }

            *(short*)(request + 16) |= Up;
            if (Ioctl(fd, SiocSetFlags, request) != 0)
            {
                throw new IOException($"SIOCSIFFLAGS lo: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNamespace(Microsoft.Win32.SafeHandles.SafeFileHandle fd, int type);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int Ioctl(int fd, nuint request, byte* argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
