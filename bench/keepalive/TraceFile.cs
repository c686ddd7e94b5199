using System.Globalization;

namespace Stratus.Bench.KeepAlive;

/// <summary>
/// The trace on disk, in two CSV files a spreadsheet or another simulator can read:
/// <c>functions.csv</c> (name, kind, memory_mb, pattern) and <c>invocations.csv</c>
/// (function, start_ms, duration_ms; grouped by function, in arrival order).
/// </summary>
internal static class TraceFile
{
    public const string Functions = "functions.csv";
    public const string Invocations = "invocations.csv";

    public static void Write(string directory, IReadOnlyList<TraceFunction> functions)
    {
        Directory.CreateDirectory(directory);
        using (var writer = new StreamWriter(Path.Combine(directory, Functions)))
        {
            writer.NewLine = "\n";
            writer.WriteLine("name,kind,memory_mb,pattern");
            foreach (var function in functions)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{function.Name},{function.Kind},{function.MemoryMb},{function.Pattern}"));
            }
        }

        using (var writer = new StreamWriter(Path.Combine(directory, Invocations)))
        {
            writer.NewLine = "\n";
            writer.WriteLine("function,start_ms,duration_ms");
            foreach (var function in functions)
            {
                foreach (var invocation in function.Invocations)
                {
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{function.Name},{invocation.StartMs},{invocation.DurationMs}"));
                }
            }
        }
    }

    public static IReadOnlyList<TraceFunction> Read(string directory)
    {
        var invocations = new Dictionary<string, List<TraceInvocation>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(directory, Invocations)).Skip(1))
        {
            var fields = line.Split(',');
            if (!invocations.TryGetValue(fields[0], out var list))
            {
                invocations[fields[0]] = list = [];
            }

            list.Add(new TraceInvocation(long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[2], CultureInfo.InvariantCulture)));
        }

        var functions = new List<TraceFunction>();
        foreach (var line in File.ReadLines(Path.Combine(directory, Functions)).Skip(1))
        {
            // The pattern, last, may itself hold commas.
            var fields = line.Split(',', 4);
            var list = invocations.GetValueOrDefault(fields[0]) ?? [];
            list.Sort((a, b) => a.StartMs.CompareTo(b.StartMs));
            functions.Add(new TraceFunction(fields[0], fields[1], int.Parse(fields[2], CultureInfo.InvariantCulture), fields[3], list));
        }

        return functions;
    }
}
