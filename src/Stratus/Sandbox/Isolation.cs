using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Stratus.Sandbox;

/// <summary>
/// Keeps instances apart from the platform and from each other, with what a Linux host has
/// (util-linux's <c>unshare</c> and <c>setpriv</c>, run as root):
/// <list type="bullet">
/// <item>each instance runs as a user of its own, with no capabilities, supplementary groups or way to
/// gain privileges, so it cannot signal or trace any other process;</item>
/// <item>in a mount namespace of its own: a private <c>/tmp</c> (a tmpfs of EphemeralStorage's size)
/// and a <c>/proc</c> that shows only its own processes;</item>
/// <item>the data directory can be crossed but not listed, and each code directory is readable only by
/// the group of the instances that run that code, and writable by none of them.</item>
/// </list>
/// </summary>
internal sealed partial class Isolation
{
    /// <summary>Instance users are <c>FirstUid + n</c>; groups of code directories <c>FirstGid + n</c>.</summary>
    public const int FirstUid = 2_000_000;
    public const int FirstGid = 2_000_000;

    private const string Unshare = "/usr/bin/unshare";
    private const string Setpriv = "/usr/bin/setpriv";

    /// <summary>Where an instance sees its code and the runtimes, as on Lambda.</summary>
    public const string TaskRoot = "/var/task";
    public const string RuntimeRoot = "/var/runtime";

    /// <summary>The size of a slot's /tmp until a function asks for another (Lambda's default).</summary>
    public const int DefaultTmpMegabytes = 512;

    // A slot enters its mount namespace ahead of time, as root: the code store at /var/task (shadowed
    // by the function's own code at launch), the runtimes at /var/runtime, a private /tmp and a /proc
    // that hides other users' processes. mount -a skips an entry whose source is already mounted on
    // its target, so the sources of new file systems are names of our own.
    private const string SlotTable = """
        {0} /var/task none bind,ro,nosuid,nodev 0 0
        {1} /var/runtime none bind,ro,nosuid,nodev 0 0
        stratus-tmp /tmp tmpfs size=512m,mode=1777,nosuid,nodev 0 0
        stratus-proc /proc proc hidepid=2,nosuid,nodev,noexec 0 0

        """;

    private readonly Lock _lock = new();
    private readonly Stack<int> _freeUids = new();
    private readonly Dictionary<string, int> _codeGroups = new(StringComparer.Ordinal);
    private int _nextUid = FirstUid;

    private Isolation(bool enabled, string? problem)
    {
        Enabled = enabled;
        Problem = problem;
    }

    public bool Enabled { get; }

    /// <summary>Why isolation is off, in words for the log and <c>stratus doctor</c>.</summary>
    public string? Problem { get; }

    public static Isolation Off(string why) => new(false, why);

    /// <summary>Checks for root, the tools, and that a mount namespace can actually be made here.</summary>
    public static Isolation Detect(bool probeOnly = false)
    {
        if (GetEffectiveUserId() != 0)
        {
            return Off("Stratus is not running as root, so instances run as its own user, sharing its /tmp and files");
        }

        foreach (var tool in new[] { Unshare, Setpriv, "/usr/bin/mount" })
        {
            if (!File.Exists(tool) && !File.Exists("/bin/" + Path.GetFileName(tool)))
            {
                return Off($"{tool} is missing (Debian package util-linux / mount)");
            }
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo(Unshare, ["--mount", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs -o size=1m probe /tmp"])
            {
                RedirectStandardError = true,
            })!;
            var error = probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            if (probe.ExitCode != 0)
            {
                return Off($"cannot create a mount namespace here: {error.Trim()}");
            }

            if (probeOnly)
            {
                return new Isolation(true, null);
            }

            // Lambda's mount points; empty directories on the host.
            Directory.CreateDirectory(TaskRoot);
            Directory.CreateDirectory(RuntimeRoot);
            var isolation = new Isolation(true, null);
            RemoveStaleSocketDirectories();
            Directory.CreateDirectory(isolation.SocketDirectory);
            File.SetUnixFileMode(isolation.SocketDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            return isolation;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return Off($"cannot run {Unshare}: {ex.Message}");
        }
    }

    private static void RemoveStaleSocketDirectories()
    {
        foreach (var directory in Directory.EnumerateDirectories("/run", "stratus-*"))
        {
            if (int.TryParse(Path.GetFileName(directory)["stratus-".Length..].Split('-')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && !Directory.Exists($"/proc/{pid}"))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>A user id no other live instance has.</summary>
    public int RentUser()
    {
        lock (_lock)
        {
            return _freeUids.Count > 0 ? _freeUids.Pop() : _nextUid++;
        }
    }

    public void ReturnUser(int uid)
    {
        lock (_lock)
        {
            _freeUids.Push(uid);
        }
    }

    /// <summary>
    /// The group that may read <paramref name="codeDirectory"/>. The first time in this server's life,
    /// the directory is given to root and that group: directories rwxr-x---, files rw-r----- (or
    /// rwxr-x--- when executable). Functions with identical code share the directory, and the group.
    /// </summary>
    public int CodeGroup(string codeDirectory)
    {
        lock (_lock)
        {
            if (_codeGroups.TryGetValue(codeDirectory, out var gid))
            {
                return gid;
            }

            gid = FirstGid + _codeGroups.Count;
            Restrict(codeDirectory, gid);
            _codeGroups[codeDirectory] = gid;
            return gid;
        }
    }

    /// <summary>
    /// Shuts instances out of the data directory: it and the directories holding code and instance
    /// files can be crossed (to reach a socket or a code directory by name) but not listed; everything
    /// else in it (the database first) is for root alone.
    /// </summary>
    public static void ProtectDataDirectory(string data, params string[] crossable)
    {
        const UnixFileMode Crossable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(data, Crossable);
        foreach (var entry in new DirectoryInfo(data).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            entry.UnixFileMode = entry is not DirectoryInfo
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : crossable.Contains(entry.Name) ? Crossable : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        }
    }

    /// <summary>Gives a file (the Runtime API socket) to the instance's user alone.</summary>
    public static void GiveTo(string path, int uid, int gid)
    {
        Own(path, uid, gid);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>What a slot runs to enter its namespace before it waits (see <see cref="Execution.SlotPool"/>).</summary>
    public IEnumerable<string> EnterSlot(string then, string codeStore, string runtimesDirectory)
    {
        var table = Path.Combine(SocketDirectory, "slot.fstab");
        if (!File.Exists(table))
        {
            File.WriteAllText(table, SlotTable.Replace("{0}", Escape(codeStore), StringComparison.Ordinal).Replace("{1}", Escape(runtimesDirectory), StringComparison.Ordinal));
        }

        return [Unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", "mount -a -T \"$0\" || exit 124; " + then, table];
    }

    /// <summary>
    /// Returns the launch-script lines that put the function's own code over the code store at
    /// /var/task inside the slot's namespace, and the command prefix that drops to the instance's user
    /// for good.
    /// </summary>
    public static (IReadOnlyList<string> Lines, IReadOnlyList<string> Prefix) Wrap(string codeDirectory, int tmpMegabytes, int uid, int gid)
    {
        var own = TaskRoot + "/" + Path.GetFileName(codeDirectory);
        var lines = new List<string> { $"mount --bind -o ro,nosuid,nodev '{own}' {TaskRoot} || exit 124" };
        if (tmpMegabytes != DefaultTmpMegabytes)
        {
            lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"mount -o remount,size={tmpMegabytes}m /tmp || exit 124"));
        }

        return (lines, [Setpriv,
            "--reuid=" + uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--regid=" + gid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"]);
    }

    /// <summary>
    /// Where instance files (output, Runtime API socket, launch script) go: outside the data directory,
    /// which may be under /tmp, where a slot's private /tmp would hide it.
    /// </summary>
    public string SocketDirectory { get; } = $"/run/stratus-{Environment.ProcessId}-{Random.Shared.Next():x8}";

    /// <summary>Removes the socket directory once no instance is left.</summary>
    public void Close()
    {
        if (Enabled && Directory.Exists(SocketDirectory))
        {
            Directory.Delete(SocketDirectory, recursive: true);
        }
    }

    /// <summary>fstab separates fields with blanks; a path with one is written with \040.</summary>
    private static string Escape(string path) => path.Replace(" ", "\\040", StringComparison.Ordinal).Replace("\t", "\\011", StringComparison.Ordinal);

    private static void Restrict(string directory, int gid)
    {
        const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        Own(directory, 0, gid);
        File.SetUnixFileMode(directory, Directory);
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            Own(entry.FullName, 0, gid);
            var executable = entry is FileInfo && (entry.UnixFileMode & UnixFileMode.UserExecute) != 0;
            entry.UnixFileMode = entry is DirectoryInfo ? Directory : executable ? Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute : Readable;
        }
    }

    private static void Own(string path, int uid, int gid)
    {
        if (Chown(path, uid, gid) != 0)
        {
            throw new IOException($"chown {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, int owner, int group);
}
