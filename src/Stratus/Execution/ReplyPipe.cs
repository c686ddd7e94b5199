using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Stratus.Execution;

/// <summary>
/// A named pipe (FIFO) through which the server answers a node runtime's Runtime API requests,
/// which still arrive on the runtime's socket. The runtime reads the pipe in blocking reads, so
/// waiting for its next event costs it one read instead of a turn of its event loop (a poll, a
/// stream's callbacks and a buffer per chunk), and between invocations it is held in that read, as a
/// Lambda environment is frozen between them.
/// <para>
/// The server creates the pipe when it boots a standby runtime and holds it open for reading and
/// writing, so the runtime's open for reading never waits and its reads end (end of file) only when
/// the server lets go of it: when the slot is discarded, or when the server is gone. It is the
/// instance's own (mode 0600, its user's when isolated): no other instance can open it.
/// </para>
/// </summary>
internal sealed partial class ReplyPipe : IDisposable
{
    /// <summary>Writes of at most this many bytes to a pipe are atomic, and never wait when the pipe reports room.</summary>
    public const int AtomicBytes = 4096;

    private readonly SafeFileHandle _handle;

    private ReplyPipe(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    public string Path { get; }

    /// <summary>
    /// The pipe of a slot whose output goes to <paramref name="outputPath"/>, beside it, when the slot
    /// runs a node runtime (the only bootstrap that reads one); null for any other.
    /// </summary>
    public static ReplyPipe? ForRuntime(Functions.RuntimeFamily? family, string outputPath, int? uid) =>
        family == Functions.RuntimeFamily.Node ? Create(System.IO.Path.ChangeExtension(outputPath, ".replies"), uid) : null;

    /// <summary>Creates the pipe at <paramref name="path"/>, for <paramref name="uid"/> when given, and opens it.</summary>
    private static ReplyPipe Create(string path, int? uid)
    {
        File.Delete(path);
        if (MakeFifo(path, 0x180) != 0)
        {
            throw new IOException($"Cannot create the reply pipe {path}: error {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (uid is { } owner)
            {
                Sandbox.Isolation.GiveTo(path, owner);
            }

            var handle = Open(path, ReadWrite | CloseOnExec);
            if (handle.IsInvalid)
            {
                var error = Marshal.GetLastPInvokeError();
                handle.Dispose();
                throw new IOException($"Cannot open the reply pipe {path}: error {error}");
            }

            return new ReplyPipe(path, handle);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Whether a write of up to <see cref="AtomicBytes"/> bytes would complete at once.</summary>
    public bool HasRoom()
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var poll = new PollFd { Fd = (int)_handle.DangerousGetHandle(), Events = PollOut };
            return PollOne(ref poll, 1, 0) == 1 && (poll.Revents & PollOut) != 0;
        }
        catch (ObjectDisposedException)
        {
            // The slot is being discarded: the write fails and says so.
            return true;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Writes every byte of <paramref name="parts"/>, in order, in as few system calls as the pipe allows.</summary>
    public unsafe void Write(IList<ArraySegment<byte>> parts)
    {
        var count = 0;
        foreach (var part in parts)
        {
            count += part.Count > 0 ? 1 : 0;
        }

        var handles = new GCHandle[count];
        Span<IoVector> vectors = count <= 16 ? stackalloc IoVector[count] : new IoVector[count];
        try
        {
            var at = 0;
            foreach (var part in parts)
            {
                if (part.Count > 0)
                {
                    handles[at] = GCHandle.Alloc(part.Array, GCHandleType.Pinned);
                    vectors[at] = new IoVector { Base = (byte*)handles[at].AddrOfPinnedObject() + part.Offset, Length = (nuint)part.Count };
                    at++;
                }
            }

            var first = 0;
            while (first < count)
            {
                nint written;
                fixed (IoVector* vector = &vectors[first])
                {
                    written = WriteVector(_handle, vector, count - first);
                }

                if (written < 0)
                {
                    var error = Marshal.GetLastPInvokeError();
                    if (error == Interrupted)
                    {
                        continue;
                    }

                    throw new IOException($"The runtime's reply pipe failed: error {error}");
                }

                // Skip what was written: whole parts, then into the part it stopped in.
                while (first < count && written >= (nint)vectors[first].Length)
                {
                    written -= (nint)vectors[first].Length;
                    first++;
                }

                if (first < count)
                {
                    vectors[first].Base += written;
                    vectors[first].Length -= (nuint)written;
                }
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                if (handle.IsAllocated)
                {
                    handle.Free();
                }
            }
        }
    }

    public void Dispose()
    {
        _handle.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }

    private const int ReadWrite = 0x2;
    private const int CloseOnExec = 0x80000;
    private const short PollOut = 0x4;
    private const int Interrupted = 4;

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial SafeFileHandle Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    private static unsafe partial nint WriteVector(SafeFileHandle fd, IoVector* vectors, int count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollOne(ref PollFd fd, nuint count, int timeout);
}
