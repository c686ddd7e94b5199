using System.Globalization;
using System.Runtime.InteropServices;

namespace Stratus.Sandbox;

/// <summary>
/// The host side of a slot's <c>/var/task</c> and <c>/tmp</c>. A slot's mount namespace is made
/// ahead of time, before anyone knows which function it will run; its <c>/var/task</c> is a slave
/// of a shared mount point here, so when the server binds a function's code onto that point (one
/// system call), the code appears inside the slot without any process of the slot doing anything.
/// Its <c>/tmp</c> is a tmpfs mounted here: a remount here resizes it there (the size belongs to the
/// file system, not to one mount of it).
/// </summary>
internal sealed partial class SlotMounts : IDisposable
{
    private const string TmpSource = "stratus-tmp";

    private SlotMounts(string directory)
    {
        Directory = directory;
    }

    /// <summary>A directory of root's alone: an instance cannot reach the mounts through it.</summary>
    public string Directory { get; }

    /// <summary>Bound to /var/task inside the slot.</summary>
    public string Task => Path.Combine(Directory, "task");

    /// <summary>Bound to /tmp inside the slot.</summary>
    public string Tmp => Path.Combine(Directory, "tmp");

    /// <summary>Makes the mount points of a new slot under <paramref name="directory"/>.</summary>
    public static SlotMounts Create(string directory)
    {
        var mounts = new SlotMounts(directory);
        System.IO.Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        System.IO.Directory.CreateDirectory(mounts.Task);
        System.IO.Directory.CreateDirectory(mounts.Tmp);
        try
        {
            Check(Mount(mounts.Task, mounts.Task, null, Bind, null), "bind", mounts.Task);
            Check(Mount(null, mounts.Task, null, Shared, null), "share", mounts.Task);
            Check(Mount(TmpSource, mounts.Tmp, "tmpfs", NoSuid | NoDev, TmpOptions(Isolation.DefaultTmpMegabytes) + ",mode=1777"), "mount tmpfs on", mounts.Tmp);
        }
        catch
        {
            mounts.Dispose();
            throw;
        }

        return mounts;
    }

    /// <summary>
    /// Puts <paramref name="codeDirectory"/> on the slot's /var/task: read-only, no set-uid, no devices,
    /// attributes set before the mount is attached so the slot's copy has them too. Kernels without
    /// mount_setattr (before 5.12) get a plain bind; the code's file modes still keep instances from
    /// writing it.
    /// </summary>
    public void AttachCode(string codeDirectory)
    {
        // A read-only attach that fails where the calls exist (seen rarely on a loaded machine) is tried
        // again before settling for the plain bind, which only the code's file modes protect.
        if (!TryAttachReadOnly(codeDirectory) && !TryAttachReadOnly(codeDirectory) && !TryAttachReadOnly(codeDirectory))
        {
            Check(Mount(codeDirectory, Task, null, Bind, null), "bind", codeDirectory);
        }
    }

    /// <summary>Sets the size of the slot's /tmp (Lambda's EphemeralStorage).</summary>
    public void ResizeTmp(int megabytes)
    {
        if (megabytes != Isolation.DefaultTmpMegabytes)
        {
            Check(Mount(null, Tmp, null, Remount | NoSuid | NoDev, TmpOptions(megabytes)), "resize", Tmp);
        }
    }

    /// <summary>Detaches everything mounted here and removes the directories.</summary>
    public void Dispose()
    {
        DetachAll(Directory);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Still mounted (see DetachAll): left for the next start's clean-up rather than risk the code.
        }
    }

    /// <summary>
    /// Lazily unmounts every mount at or under <paramref name="directory"/>, deepest and newest first,
    /// and says whether none is left, so that a recursive delete cannot reach into a function's code.
    /// </summary>
    public static bool DetachAll(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        for (var round = 0; round < 8; round++)
        {
            var points = MountPointsUnder(prefix);
            if (points.Count == 0)
            {
                return true;
            }

            foreach (var point in points)
            {
                _ = Unmount(point, Detach);
            }
        }

        return MountPointsUnder(prefix).Count == 0;
    }

    private static List<string> MountPointsUnder(string prefix)
    {
        var points = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4)
            {
                var point = Unescape(fields[4]);
                if ((point + "/").StartsWith(prefix, StringComparison.Ordinal))
                {
                    points.Add(point);
                }
            }
        }

        // Later lines are newer mounts, stacked on earlier ones.
        points.Reverse();
        return [.. points.OrderByDescending(p => p.Length)];
    }

    /// <summary>mountinfo writes blanks, tabs, newlines and backslashes as \ooo.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private bool TryAttachReadOnly(string codeDirectory)
    {
        int tree;
        try
        {
            tree = OpenTree(AtCwd, codeDirectory, OpenTreeClone | OpenTreeCloexec);
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }

        if (tree < 0)
        {
            return false;
        }

        try
        {
            var attributes = new MountAttributes { Set = AttrReadOnly | AttrNoSuid | AttrNoDev };
            return SetAttributes(tree, "", AtEmptyPath, ref attributes, (nuint)Marshal.SizeOf<MountAttributes>()) == 0
                && MoveMount(tree, "", AtCwd, Task, MoveFromEmptyPath) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        finally
        {
            _ = Close(tree);
        }
    }

    private static string TmpOptions(int megabytes) => string.Create(CultureInfo.InvariantCulture, $"size={megabytes}m");

    private static void Check(int result, string what, string path)
    {
        if (result != 0)
        {
            throw new IOException($"cannot {what} {path}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private const ulong Bind = 4096;
    private const ulong Shared = 1 << 20;
    private const ulong Remount = 32;
    private const ulong NoSuid = 2;
    private const ulong NoDev = 4;
    private const int Detach = 2;
    private const int AtCwd = -100;
    private const uint OpenTreeClone = 1;
    private const uint OpenTreeCloexec = 0x80000;
    private const uint AtEmptyPath = 0x1000;
    private const uint MoveFromEmptyPath = 0x4;
    private const ulong AttrReadOnly = 0x1;
    private const ulong AttrNoSuid = 0x2;
    private const ulong AttrNoDev = 0x4;

    [StructLayout(LayoutKind.Sequential)]
    private struct MountAttributes
    {
        public ulong Set;
        public ulong Clear;
        public ulong Propagation;
        public ulong UserNamespace;
    }

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Mount(string? source, string target, string? type, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Unmount(string target, int flags);

    [LibraryImport("libc", EntryPoint = "open_tree", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenTree(int directoryFd, string path, uint flags);

    [LibraryImport("libc", EntryPoint = "mount_setattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetAttributes(int directoryFd, string path, uint flags, ref MountAttributes attributes, nuint size);

    [LibraryImport("libc", EntryPoint = "move_mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MoveMount(int fromFd, string fromPath, int toFd, string toPath, uint flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
