using System.Globalization;

namespace Stratus.Sandbox;

/// <summary>A cgroup controller Stratus uses to bound an instance.</summary>
internal enum Controller
{
    Memory,
    Cpu,
    Pids,
}

/// <summary>
/// What the kernel offers for resource limits, found at start-up: for each controller, whether it
/// sits on a cgroup v1 hierarchy or on the v2 unified one, and a directory under the server's own
/// cgroup where Stratus may create one cgroup per instance.
/// </summary>
internal sealed class Cgroups
{
    private readonly Dictionary<Controller, Hierarchy> _hierarchies;

    private Cgroups(Dictionary<Controller, Hierarchy> hierarchies, IReadOnlyList<string> problems)
    {
        _hierarchies = hierarchies;
        Problems = problems;
    }

    /// <summary>One place instance cgroups are created: a v1 hierarchy or the v2 tree.</summary>
    internal sealed record Hierarchy(bool IsV2, string Parent, List<Controller> Controllers);

    /// <summary>Why a controller is missing, in words for the log and <c>stratus doctor</c>.</summary>
    public IReadOnlyList<string> Problems { get; }

    public bool Has(Controller controller) => _hierarchies.ContainsKey(controller);

    public string Describe(Controller controller) =>
        _hierarchies.TryGetValue(controller, out var hierarchy)
            ? $"cgroup {(hierarchy.IsV2 ? "v2" : "v1")} under {Path.GetDirectoryName(hierarchy.Parent)}"
            : "not enforced";

    /// <summary>No limits at all (tests, or a kernel without cgroups).</summary>
    public static Cgroups None(string why) => new([], [why]);

    /// <summary>
    /// Finds the controllers from <c>/proc/self/mountinfo</c> and <c>/proc/self/cgroup</c> and
    /// prepares <c>&lt;own cgroup&gt;/stratus-&lt;pid&gt;</c> on each hierarchy. Roots are parameters so
    /// the parsing can be tested on a copy of another machine's files.
    /// </summary>
    public static Cgroups Detect(string procSelf = "/proc/self", int? processId = null, bool probeOnly = false)
    {
        var pid = processId ?? Environment.ProcessId;
        var problems = new List<string>();
        string mountInfo, membership;
        try
        {
            mountInfo = File.ReadAllText(Path.Combine(procSelf, "mountinfo"));
            membership = File.ReadAllText(Path.Combine(procSelf, "cgroup"));
        }
        catch (IOException ex)
        {
            return None($"cannot read /proc/self: {ex.Message}");
        }

        // Where each hierarchy is mounted: v1 by controller, v2 once.
        var v1Mounts = new Dictionary<string, string>();
        string? v2Mount = null;
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (dash < 0 || fields.Length < dash + 4)
            {
                continue;
            }

            var mountPoint = Unescape(fields[4]);
            var type = fields[dash + 1];
            if (type == "cgroup2")
            {
                v2Mount ??= mountPoint;
            }
            else if (type == "cgroup")
            {
                foreach (var option in fields[dash + 3].Split(','))
                {
                    v1Mounts.TryAdd(option, mountPoint);
                }
            }
        }

        // The server's own cgroup on each hierarchy.
        var v1Paths = new Dictionary<string, string>();
        string? v2Path = null;
        foreach (var line in membership.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[0] == "0" && parts[1].Length == 0)
            {
                v2Path = parts[2];
            }
            else
            {
                foreach (var name in parts[1].Split(','))
                {
                    v1Paths[name] = parts[2];
                }
            }
        }

        var found = new Dictionary<Controller, Hierarchy>();
        var byDirectory = new Dictionary<string, Hierarchy>();
        foreach (var controller in Enum.GetValues<Controller>())
        {
            var name = controller.ToString().ToLowerInvariant();
            if (v1Mounts.TryGetValue(name, out var mount) && v1Paths.TryGetValue(name, out var own))
            {
                var parent = Path.Combine(mount, own.TrimStart('/'), $"stratus-{pid}");
                found[controller] = Share(byDirectory, parent, isV2: false, controller);
            }
            else if (v2Mount is not null && v2Path is not null)
            {
                var own2 = Path.Combine(v2Mount, v2Path.TrimStart('/'));
                if (ReadWords(Path.Combine(own2, "cgroup.controllers")).Contains(name))
                {
                    found[controller] = Share(byDirectory, Path.Combine(own2, $"stratus-{pid}"), isV2: true, controller);
                }
                else
                {
                    problems.Add($"{name}: the cgroup v2 controller is not available to this process's cgroup ({own2})");
                }
            }
            else
            {
                problems.Add($"{name}: no cgroup v1 hierarchy or v2 tree offers it");
            }
        }

        // Create the parents; a hierarchy that refuses us is reported and left out.
        foreach (var hierarchy in byDirectory.Values)
        {
            var error = hierarchy.IsV2 ? PrepareV2(hierarchy) : PrepareV1(hierarchy);
            if (error is not null)
            {
                foreach (var controller in hierarchy.Controllers)
                {
                    found.Remove(controller);
                    problems.Add($"{controller.ToString().ToLowerInvariant()}: {error}");
                }
            }
        }

        if (probeOnly)
        {
            foreach (var hierarchy in byDirectory.Values)
            {
                TryRemove(hierarchy.Parent);
            }
        }

        return new Cgroups(found, problems);
    }

    private static Hierarchy Share(Dictionary<string, Hierarchy> byDirectory, string parent, bool isV2, Controller controller)
    {
        if (!byDirectory.TryGetValue(parent, out var hierarchy))
        {
            hierarchy = new Hierarchy(isV2, parent, []);
            byDirectory[parent] = hierarchy;
        }

        hierarchy.Controllers.Add(controller);
        return hierarchy;
    }

    private static string? PrepareV1(Hierarchy hierarchy)
    {
        try
        {
            RemoveStale(Path.GetDirectoryName(hierarchy.Parent)!);
            Directory.CreateDirectory(hierarchy.Parent);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot create {hierarchy.Parent}: {ex.Message}";
        }
    }

    /// <summary>
    /// cgroup v2 lets a cgroup either hold processes or delegate controllers to children, not both
    /// ("no internal processes"). So the server moves itself into a leaf of its own cgroup, then enables
    /// the controllers for the children, where instances go.
    /// </summary>
    private static string? PrepareV2(Hierarchy hierarchy)
    {
        var own = Path.GetDirectoryName(hierarchy.Parent)!;
        var enable = string.Join(' ', hierarchy.Controllers.Select(c => "+" + c.ToString().ToLowerInvariant()));
        try
        {
            RemoveStale(own);
            try
            {
                File.WriteAllText(Path.Combine(own, "cgroup.subtree_control"), enable);
            }
            catch (IOException)
            {
                // Busy: this cgroup holds processes. Move them (the server's) into a leaf and retry.
                var leaf = Path.Combine(own, "stratus-server");
                Directory.CreateDirectory(leaf);
                foreach (var process in File.ReadAllLines(Path.Combine(own, "cgroup.procs")))
                {
                    try
                    {
                        File.WriteAllText(Path.Combine(leaf, "cgroup.procs"), process);
                    }
                    catch (IOException)
                    {
                        // Exited meanwhile, or a kernel thread: nothing to move.
                    }
                }

                File.WriteAllText(Path.Combine(own, "cgroup.subtree_control"), enable);
            }

            Directory.CreateDirectory(hierarchy.Parent);
            File.WriteAllText(Path.Combine(hierarchy.Parent, "cgroup.subtree_control"), enable);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot delegate controllers under {own}: {ex.Message}";
        }
    }

    /// <summary>
    /// Removes the instance cgroups a previous server process left behind. A server that was killed
    /// (SIGKILL, a crash) leaves its instances and standby runtimes running: each is in a process
    /// group of its own, so nothing stopped them. They are stopped here, through their cgroups, which
    /// hold exactly them.
    /// </summary>
    private static void RemoveStale(string directory)
    {
        foreach (var stale in Directory.EnumerateDirectories(directory, "stratus-*"))
        {
            var suffix = Path.GetFileName(stale)["stratus-".Length..];
            if (!int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }

            var children = Directory.EnumerateDirectories(stale).ToList();
            children.ForEach(KillMembers);
            foreach (var child in children)
            {
                TryRemove(child);
            }

            TryRemove(stale);
        }
    }

    private static void KillMembers(string cgroup)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(cgroup, "cgroup.procs")))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var member))
                {
                    Execution.ProcessGroup.KillProcess(member);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, or another server is cleaning up the same directory.
        }
    }

    private static void TryRemove(string directory)
    {
        // A killed process leaves its cgroup as it exits, a moment after the signal.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                Directory.Delete(directory);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 49 && HasMembers(directory))
            {
                Thread.Sleep(10);
            }
            catch (IOException)
            {
                // Still has processes: left for the kernel to report.
                return;
            }
        }
    }

    private static bool HasMembers(string cgroup)
    {
        try
        {
            return File.ReadLines(Path.Combine(cgroup, "cgroup.procs")).Any();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Creates the cgroup of one instance on every hierarchy, with its limits if given now.</summary>
    public InstanceCgroup Create(string name, ResourceLimits? limits = null)
    {
        var directories = new List<InstanceCgroup.Directory>();
        var created = new InstanceCgroup(directories);
        try
        {
            foreach (var hierarchy in _hierarchies.Values.Distinct())
            {
                var path = Path.Combine(hierarchy.Parent, name);
                System.IO.Directory.CreateDirectory(path);
                directories.Add(new InstanceCgroup.Directory(path, hierarchy.IsV2, hierarchy.Controllers));
            }

            if (limits is not null)
            {
                created.Apply(limits);
            }
        }
        catch
        {
            created.Dispose();
            throw;
        }

        return created;
    }

    internal static void Apply(InstanceCgroup.Directory directory, Controller controller, ResourceLimits limits)
    {
        var path = directory.Path;
        switch (controller)
        {
            case Controller.Memory when directory.IsV2:
                Write(path, "memory.max", limits.MemoryBytes);
                // Optional knobs (swap accounting off, older kernel): a failed write is no error.
                InstanceCgroup.TryWrite(Path.Combine(path, "memory.swap.max"), "0");
                break;
            case Controller.Memory:
                Write(path, "memory.limit_in_bytes", limits.MemoryBytes);
                // With swap accounting, memory plus swap gets the same bound: no swapping past the limit.
                InstanceCgroup.TryWrite(Path.Combine(path, "memory.memsw.limit_in_bytes"), limits.MemoryBytes.ToString(CultureInfo.InvariantCulture));
                break;
            case Controller.Cpu:
                // The share applies once init is done (InstanceCgroup.LimitCpu): init runs at full speed,
                // with the ordinary weight again if the slot booted with the lowest (InstanceCgroup.Yield).
                InstanceCgroup.TryWrite(Path.Combine(path, directory.IsV2 ? "cpu.weight" : "cpu.shares"), directory.IsV2 ? "100" : "1024");
                break;
            case Controller.Pids:
                Write(path, "pids.max", limits.MaxProcesses);
                break;
        }
    }

    private static void Write(string directory, string file, long value) =>
        File.WriteAllText(Path.Combine(directory, file), value.ToString(CultureInfo.InvariantCulture));

    private static HashSet<string> ReadWords(string path)
    {
        try
        {
            return [.. File.ReadAllText(path).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>mountinfo escapes spaces and a few other bytes as octal (\040).</summary>
    private static string Unescape(string field) =>
        field.Contains('\\', StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString())
            : field;
}
