using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Stratus.Sandbox;

/// <summary>
/// Keeps instances apart from the platform and from each other, with what a Linux host has
/// (util-linux's <c>unshare</c> and <c>setpriv</c>, run as root):
/// <list type="bullet">
/// <item>each instance runs as a user (and group) of its own, with no capabilities, supplementary
/// groups or way to gain privileges, so it cannot signal or trace any other process;</item>
/// <item>in a mount namespace of its own: its function's code, read-only, at <c>/var/task</c>, a
/// private <c>/tmp</c> (a tmpfs of EphemeralStorage's size) and a <c>/proc</c> that shows only its
/// own processes;</item>
/// <item>the data directory, code store included, is root's alone: an instance reaches code only
/// through the mount of its own function's code.</item>
/// </list>
/// </summary>
internal sealed partial class Isolation
{
    /// <summary>Instance users are <c>FirstUid + n</c>, each with the group of the same number.</summary>
    public const int FirstUid = 2_000_000;

    private const string Unshare = "/usr/bin/unshare";
    private const string Setpriv = "/usr/bin/setpriv";

    /// <summary>Where an instance sees its code and the runtimes, as on Lambda.</summary>
    public const string TaskRoot = "/var/task";
    public const string RuntimeRoot = "/var/runtime";

    /// <summary>The size of a slot's /tmp until a function asks for another (Lambda's default).</summary>
    public const int DefaultTmpMegabytes = 512;

    // A slot enters its mount namespace ahead of time, as root: its own /var/task and /tmp (see
    // SlotMounts: the function's code arrives on /var/task later, from the host), the runtimes at
    // /var/runtime and a /proc that hides other users' processes. mount -a skips an entry whose
    // source is already mounted on its target, so the source of /proc is a name of our own.
    // The private /tmp comes last: the runtimes (a checkout or an install under /tmp) must be bound
    // before it hides them. /var/task is bound recursively: the code can arrive on the slot's copy of
    // the task point while mount -a binds it, after the bind looked its source up and before it was
    // attached; a plain bind copies that point without the code, and the arrival has passed it by.
    // It is read-only from the start, so that code which arrived before the bind stays read-only too.
    private const string SlotTable = """
        {0} /var/task none rbind,ro,nosuid,nodev 0 0
        {2} /var/runtime none bind,ro,nosuid,nodev 0 0
        stratus-proc /proc proc hidepid=2,nosuid,nodev,noexec 0 0
        {1} /tmp none bind,nosuid,nodev 0 0

        """;

    private readonly Lock _lock = new();
    private readonly Stack<int> _freeUids = new();
    private readonly HashSet<string> _preparedCode = new(StringComparer.Ordinal);
    private int _nextUid = FirstUid;

    private Isolation(bool enabled, string? problem, bool networkNamespaces = false)
    {
        Enabled = enabled;
        Problem = problem;
        NetworkNamespaces = enabled && networkNamespaces;
    }

    public bool Enabled { get; }

    /// <summary>Whether a function can be run with no network (a network namespace of its own).</summary>
    public bool NetworkNamespaces { get; }

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

            var network = CanUnshareNetwork();
            if (probeOnly)
            {
                return new Isolation(true, null, network);
            }

            // Lambda's mount points; empty directories on the host.
            Directory.CreateDirectory(TaskRoot);
            Directory.CreateDirectory(RuntimeRoot);
            var isolation = new Isolation(true, null, network);
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

    private static bool CanUnshareNetwork()
    {
        using var probe = Process.Start(new ProcessStartInfo(Unshare, ["--net", "/bin/true"]) { RedirectStandardError = true })!;
        probe.StandardError.ReadToEnd();
        probe.WaitForExit();
        return probe.ExitCode == 0;
    }

    private static void RemoveStaleSocketDirectories()
    {
        foreach (var directory in Directory.EnumerateDirectories("/run", "stratus-*"))
        {
            if (int.TryParse(Path.GetFileName(directory)["stratus-".Length..].Split('-')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid)
                && !Directory.Exists($"/proc/{pid}")
                && SlotMounts.DetachAll(directory))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (DirectoryNotFoundException)
                {
                    // Another server starting at the same moment removed it first.
                }
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
    /// Makes <paramref name="codeDirectory"/> readable by whichever instance has it mounted, the first
    /// time in this server's life: root's, directories rwxr-xr-x, files rw-r--r-- (rwxr-xr-x when
    /// executable). Its path stays out of reach: the data directory above it is root's alone.
    /// </summary>
    public void PrepareCode(string codeDirectory)
    {
        lock (_lock)
        {
            if (_preparedCode.Add(codeDirectory))
            {
                Restrict(codeDirectory);
            }
        }
    }

    /// <summary>Shuts instances out of the data directory: it, and everything in it, is for root alone.</summary>
    public static void ProtectDataDirectory(string data)
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        File.SetUnixFileMode(data, Private);
        foreach (var entry in new DirectoryInfo(data).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is null)
            {
                entry.UnixFileMode = entry is DirectoryInfo ? Private : UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
        }
    }

    /// <summary>Gives a file (the Runtime API socket) to the instance's user alone.</summary>
    public static void GiveTo(string path, int uid)
    {
        Own(path, uid, uid);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// What a slot runs to enter its namespace (as a slave of the host's mounts, so that its code can
    /// arrive from outside) before it runs <paramref name="then"/> (see <see cref="Execution.SlotPool"/>);
    /// <c>$0</c> in <paramref name="then"/> is the slot's mount table, <c>$1</c>… are <paramref name="arguments"/>.
    /// Without <paramref name="network"/>, the slot gets a network namespace of its own, with nothing in it.
    /// </summary>
    public static IEnumerable<string> EnterSlot(SlotMounts mounts, string runtimesDirectory, string then, IEnumerable<string> arguments, bool network = true)
    {
        var table = Path.Combine(mounts.Directory, "fstab");
        File.WriteAllText(table, SlotTable.Replace("{0}", Escape(mounts.Task), StringComparison.Ordinal)
            .Replace("{1}", Escape(mounts.Tmp), StringComparison.Ordinal)
            .Replace("{2}", Escape(runtimesDirectory), StringComparison.Ordinal));
        return [Unshare, "--mount", .. (network ? Array.Empty<string>() : ["--net"]), "--propagation", "slave", "/bin/sh", "-c", "mount -a -T \"$0\" || exit 124; " + then, table, .. arguments];
    }

    /// <summary>The command prefix that drops to the instance's user (and its group) for good.</summary>
    public static IReadOnlyList<string> DropTo(int uid) => [Setpriv,
        "--reuid=" + uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--regid=" + uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"];

    /// <summary>
    /// Where instance files (output, Runtime API socket, launch script) go: outside the data directory,
    /// which may be under /tmp, where a slot's private /tmp would hide it.
    /// </summary>
    public string SocketDirectory { get; } = $"/run/stratus-{Environment.ProcessId}-{Random.Shared.Next():x8}";

    /// <summary>Removes the socket directory once no instance is left.</summary>
    public void Close()
    {
        if (Enabled && Directory.Exists(SocketDirectory) && SlotMounts.DetachAll(SocketDirectory))
        {
            Directory.Delete(SocketDirectory, recursive: true);
        }
    }

    /// <summary>fstab separates fields with blanks; a path with one is written with \040.</summary>
    private static string Escape(string path) => path.Replace(" ", "\\040", StringComparison.Ordinal).Replace("\t", "\\011", StringComparison.Ordinal);

    private static void Restrict(string directory)
    {
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Executable = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        Own(directory, 0, 0);
        File.SetUnixFileMode(directory, Readable | Executable);
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            Own(entry.FullName, 0, 0);
            var executable = entry is DirectoryInfo || (entry.UnixFileMode & UnixFileMode.UserExecute) != 0;
            entry.UnixFileMode = executable ? Readable | Executable : Readable;
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
