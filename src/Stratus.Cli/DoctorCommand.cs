using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;
using Stratus.Sandbox;

namespace Stratus.Cli;

/// <summary><c>stratus doctor</c>: what this machine lets Stratus enforce around each instance.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Show which isolation and resource limits this machine supports");
        command.SetAction(parse =>
        {
            var cgroups = Cgroups.Detect(probeOnly: true);
            var isolation = Isolation.Detect(probeOnly: true);
            var isolated = isolation.Enabled ? "user of its own, mount namespace (unshare, setpriv)" : "not enforced";
            var rows = new List<(string Control, string How)>
            {
                ("memory limit (MemorySize)", cgroups.Describe(Controller.Memory)),
                ("CPU share (1769 MB = 1 vCPU)", cgroups.Describe(Controller.Cpu)),
                ("process limit (1024)", cgroups.Describe(Controller.Pids)),
                ("own user, no capabilities", isolated),
                ("private /tmp (EphemeralStorage), own /proc", isolated),
                ("data directory and other code unreadable", isolated),
                ("no network, for functions set so", isolation.NetworkNamespaces ? "network namespace of its own (unshare --net)" : "not enforced"),
                ("placement on cores (1769 MB = 1 core)", Placement()),
            };
            var problems = cgroups.Problems.Concat(isolation.Problem is null ? [] : ["isolation: " + isolation.Problem]).ToList();
            if (parse.GetValue(CliApp.Json))
            {
                var controls = new JsonObject();
                foreach (var (control, how) in rows)
                {
                    controls[control] = how;
                }

                var problemList = new JsonArray([.. problems.Select(p => (JsonNode)p)]);
                Console.WriteLine(new JsonObject { ["controls"] = controls, ["problems"] = problemList }.ToJsonString());
            }
            else
            {
                var table = new Table().AddColumns("CONTROL", "ENFORCED BY");
                foreach (var (control, how) in rows)
                {
                    table.AddRow(Markup.Escape(control), Markup.Escape(how));
                }

                AnsiConsole.Write(table);
                foreach (var problem in problems)
                {
                    AnsiConsole.MarkupLine($"[yellow]not enforced:[/] {Markup.Escape(problem)}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Placement() => Stratus.Execution.CpuPlacement.ForThisProcess() is { } placement
        ? $"spread over CPUs {string.Join(',', placement.Cpus)} (sched_setaffinity; off with --no-cpu-placement)"
        : "none: one CPU";
}
