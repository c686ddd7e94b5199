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
            var rows = new List<(string Control, string How)>
            {
                ("memory limit (MemorySize)", cgroups.Describe(Controller.Memory)),
                ("CPU share (1769 MB = 1 vCPU)", cgroups.Describe(Controller.Cpu)),
                ("process limit (1024)", cgroups.Describe(Controller.Pids)),
            };
            if (parse.GetValue(CliApp.Json))
            {
                var controls = new JsonObject();
                foreach (var (control, how) in rows)
                {
                    controls[control] = how;
                }

                var problems = new JsonArray([.. cgroups.Problems.Select(p => (JsonNode)p)]);
                Console.WriteLine(new JsonObject { ["controls"] = controls, ["problems"] = problems }.ToJsonString());
            }
            else
            {
                var table = new Table().AddColumns("CONTROL", "ENFORCED BY");
                foreach (var (control, how) in rows)
                {
                    table.AddRow(Markup.Escape(control), Markup.Escape(how));
                }

                AnsiConsole.Write(table);
                foreach (var problem in cgroups.Problems)
                {
                    AnsiConsole.MarkupLine($"[yellow]not enforced:[/] {Markup.Escape(problem)}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
