using Stratus.Sandbox;

namespace Stratus.Tests.Sandbox;

/// <summary>
/// Detection and limits on cgroup layouts this machine does not have (it runs cgroup v1): a copy of
/// another machine's /proc/self files pointing at a directory tree that stands in for /sys/fs/cgroup.
/// The v1 layout of this machine is covered for real by the resource-limit tests.
/// </summary>
public sealed class CgroupsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "stratus-cgroups-" + Guid.NewGuid().ToString("N"));

    public CgroupsTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Detect_CgroupV2_DelegatesControllersAndWritesV2Limits()
    {
        var own = Path.Combine(_root, "fs", "system.slice", "stratus.service");
        Directory.CreateDirectory(own);
        File.WriteAllText(Path.Combine(own, "cgroup.controllers"), "cpuset cpu io memory pids\n");
        File.WriteAllText(Path.Combine(own, "cgroup.subtree_control"), "");
        var proc = Proc(
            $"30 23 0:26 / {_root}/fs rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
            "0::/system.slice/stratus.service");

        var cgroups = Cgroups.Detect(proc, processId: 4242);
        var instance = cgroups.Create("abc", ResourceLimits.ForMemory(128));
        instance.LimitCpu();

        Assert.Empty(cgroups.Problems);
        Assert.All(Enum.GetValues<Controller>(), c => Assert.StartsWith("cgroup v2", cgroups.Describe(c)));
        var parent = Path.Combine(own, "stratus-4242");
        Assert.Equal("+memory +cpu +pids", File.ReadAllText(Path.Combine(own, "cgroup.subtree_control")));
        Assert.Equal("+memory +cpu +pids", File.ReadAllText(Path.Combine(parent, "cgroup.subtree_control")));
        var dir = Path.Combine(parent, "abc");
        Assert.Equal("134217728", File.ReadAllText(Path.Combine(dir, "memory.max")));
        Assert.Equal("0", File.ReadAllText(Path.Combine(dir, "memory.swap.max")));
        Assert.Equal("1024", File.ReadAllText(Path.Combine(dir, "pids.max")));
        Assert.Equal("7235 100000", File.ReadAllText(Path.Combine(dir, "cpu.max")));
        Assert.Equal([Path.Combine(dir, "cgroup.procs")], instance.ProcsFiles);
        Assert.Equal(Path.Combine(dir, "memory.peak"), instance.PeakMemoryFile);
    }

    [Fact]
    public void Detect_ControllerMissing_SaysSoAndKeepsTheOthers()
    {
        var own = Path.Combine(_root, "fs", "user.slice");
        Directory.CreateDirectory(own);
        File.WriteAllText(Path.Combine(own, "cgroup.controllers"), "memory pids\n");
        File.WriteAllText(Path.Combine(own, "cgroup.subtree_control"), "");
        var proc = Proc($"30 23 0:26 / {_root}/fs rw - cgroup2 cgroup2 rw", "0::/user.slice");

        var cgroups = Cgroups.Detect(proc, processId: 7);

        Assert.True(cgroups.Has(Controller.Memory));
        Assert.True(cgroups.Has(Controller.Pids));
        Assert.False(cgroups.Has(Controller.Cpu));
        Assert.Equal("not enforced", cgroups.Describe(Controller.Cpu));
        Assert.Contains(cgroups.Problems, p => p.StartsWith("cpu: the cgroup v2 controller is not available", StringComparison.Ordinal));
    }

    [Fact]
    public void Detect_CgroupV1WithCoMountedCpu_WritesV1Limits()
    {
        foreach (var hierarchy in new[] { "memory", "cpu,cpuacct", "pids" })
        {
            Directory.CreateDirectory(Path.Combine(_root, "fs", hierarchy, "docker", "c1"));
        }

        var proc = Proc(
            $"35 31 0:32 / {_root}/fs/memory rw,relatime - cgroup cgroup rw,memory\n" +
            $"32 31 0:29 / {_root}/fs/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n" +
            $"39 31 0:36 / {_root}/fs/pids rw,relatime - cgroup cgroup rw,pids",
            "4:memory:/docker/c1\n2:cpu,cpuacct:/docker/c1\n8:pids:/docker/c1");

        var cgroups = Cgroups.Detect(proc, processId: 99);
        var instance = cgroups.Create("i1", ResourceLimits.ForMemory(1769));
        instance.LimitCpu();

        Assert.Empty(cgroups.Problems);
        Assert.Equal("1854930944", File.ReadAllText(Path.Combine(_root, "fs", "memory", "docker", "c1", "stratus-99", "i1", "memory.limit_in_bytes")));
        Assert.Equal("100000", File.ReadAllText(Path.Combine(_root, "fs", "cpu,cpuacct", "docker", "c1", "stratus-99", "i1", "cpu.cfs_quota_us")));
        Assert.Equal("1024", File.ReadAllText(Path.Combine(_root, "fs", "pids", "docker", "c1", "stratus-99", "i1", "pids.max")));
        Assert.Equal(3, instance.ProcsFiles.Count());
    }

    [Fact]
    public void Detect_NoCgroupsAtAll_EnforcesNothingAndSaysWhy()
    {
        var cgroups = Cgroups.Detect(Proc("22 1 0:20 / /proc rw - proc proc rw", "0::/"), processId: 1);

        Assert.All(Enum.GetValues<Controller>(), c => Assert.Equal("not enforced", cgroups.Describe(c)));
        Assert.Equal(3, cgroups.Problems.Count);
        Assert.Empty(cgroups.Create("x", ResourceLimits.ForMemory(128)).ProcsFiles);
    }

    private string Proc(string mountInfo, string membership)
    {
        var proc = Path.Combine(_root, "proc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(proc);
        File.WriteAllText(Path.Combine(proc, "mountinfo"), mountInfo + "\n");
        File.WriteAllText(Path.Combine(proc, "cgroup"), membership + "\n");
        return proc;
    }
}
