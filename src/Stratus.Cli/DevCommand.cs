using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Stratus.Cli.DevLoop;
using Stratus.Cli.Manifests;

namespace Stratus.Cli;

/// <summary>
/// <c>stratus dev [path]</c>: applies a project's <c>stratus.yaml</c>, then redeploys whenever a file in
/// the project changes and streams the functions' logs, until Ctrl-C.
/// </summary>
internal static class DevCommand
{
    public const string WatchingLine = "Watching for changes (Ctrl-C stops)";

    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "The project directory (holding stratus.yaml)", DefaultValueFactory = _ => "." };
        var command = new Command("dev", "Deploy a project, redeploy it on every change and stream its logs") { path };
        command.SetAction((parse, _) => CliApp.ClientAsync(parse, async client =>
        {
            var manifest = ApplyCommand.Load(parse.GetValue(path)!);

            // Ctrl-C and SIGTERM end the loop cleanly (the command line's own handling is off for the server's sake).
            using var stop = new CancellationTokenSource();
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }

            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            try
            {
                await RunAsync(client, manifest, TimeProvider.System, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                Console.WriteLine("Stopped watching");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task RunAsync(StratusClient client, ProjectManifest manifest, TimeProvider time, CancellationToken cancellationToken)
    {
        await ApplyCommand.RunAsync(client, manifest, prune: false, json: false, cancellationToken);
        var output = new Lock();
        void Write(string line)
        {
            lock (output)
            {
                Console.WriteLine(line);
            }
        }

        var follower = new LogFollower(client, time, Write);
        await follower.StartAsync(manifest.Functions.Select(f => f.Name), cancellationToken);
        var current = manifest;
        var logs = follower.RunAsync(() => [.. current.Functions.Select(f => f.Name)], cancellationToken);

        using var watcher = new ChangeWatcher(WatchedDirectories(manifest), BuildOutputs(manifest), time);
        Write(WatchingLine);
        while (!cancellationToken.IsCancellationRequested && !logs.IsCompleted)
        {
            var changed = await watcher.NextAsync(cancellationToken);
            var started = Stopwatch.GetTimestamp();
            try
            {
                // The manifest is read again: an edit to it is a change like any other.
                current = ManifestReader.Read(manifest.Path);
                var changes = await new ManifestApplier(client, change => Write(change.ToString())).ApplyAsync(current, prune: false, cancellationToken);
                Write($"{ApplyCommand.Summary(current, changes)} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms after {Path.GetRelativePath(manifest.Directory, changed)} changed");
            }
            catch (Exception ex) when (ex is ManifestException or ApiException or UnreachableException or IOException)
            {
                // A half-written file or a server restart is not the end of the session: the next save retries.
                Write($"Not deployed: {ex.Message}");
            }
        }

        await logs;
    }

    /// <summary>The project's directory, and each code directory outside it (<c>code: ../shared</c>).</summary>
    private static IEnumerable<string> WatchedDirectories(ProjectManifest manifest)
    {
        var project = Path.TrimEndingDirectorySeparator(manifest.Directory) + Path.DirectorySeparatorChar;
        var outside = manifest.Functions
            .Where(f => f.Build is null && !(f.Code + Path.DirectorySeparatorChar).StartsWith(project, StringComparison.Ordinal))
            .Select(f => f.Code);
        return outside.Prepend(manifest.Directory).Distinct(StringComparer.Ordinal);
    }

    /// <summary>What a build step writes is the redeploy's own doing, not a change to react to.</summary>
    private static IEnumerable<string> BuildOutputs(ProjectManifest manifest)
    {
        foreach (var function in manifest.Functions.Where(f => f.Build is not null))
        {
            yield return function.Code;
            yield return Path.Combine(manifest.Directory, "bin");
            yield return Path.Combine(manifest.Directory, "obj");
        }
    }
}
