using System.CommandLine;
using Stratus.Bench.KeepAlive;

var trace = new Option<string>("--trace") { Description = "Directory of the trace (functions.csv, invocations.csv)", DefaultValueFactory = _ => "trace" };
var generate = new Option<bool>("--generate") { Description = "Write the synthetic trace (seeded, so always the same) before replaying it" };
var seed = new Option<int>("--seed") { Description = "Seed of the generated trace", DefaultValueFactory = _ => TraceGenerator.DefaultSeed };
var keepAlive = new Option<int>("--fixed-keep-alive") { Description = "Minutes of the fixed keep-alive compared against", DefaultValueFactory = _ => 10 };
var root = new RootCommand("Replays an invocation trace against the fixed and the adaptive keep-alive policies") { trace, generate, seed, keepAlive };
root.SetAction(parse =>
{
    var directory = parse.GetValue(trace)!;
    if (parse.GetValue(generate) || !File.Exists(Path.Combine(directory, TraceFile.Invocations)))
    {
        TraceFile.Write(directory, TraceGenerator.Generate(parse.GetValue(seed)));
    }

    // The replay reads the files back, so what is measured is what is on disk.
    var functions = TraceFile.Read(directory);
    var fixedKeepAlive = TimeSpan.FromMinutes(parse.GetValue(keepAlive));
    var results = functions
        .Select(function => new FunctionResult(
            function,
            PoolSimulation.Run(function, adaptive: false, fixedKeepAlive, TraceGenerator.Length),
            PoolSimulation.Run(function, adaptive: true, fixedKeepAlive, TraceGenerator.Length)))
        .ToList();
    Report.Write(Console.Out, results, fixedKeepAlive, TraceGenerator.Length);
    return 0;
});
return root.Parse(args).Invoke();
