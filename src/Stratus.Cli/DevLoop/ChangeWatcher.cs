using System.Threading.Channels;

namespace Stratus.Cli.DevLoop;

/// <summary>
/// Watches a project directory and reports a change once it has settled: a save touches a file
/// several times (and editors write through temporary files), so a burst of events becomes one
/// redeploy after <see cref="QuietPeriod"/> without further events.
/// </summary>
internal sealed class ChangeWatcher : IDisposable
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(100);

    // Written by tools rather than by the developer: caches, history, a server's data kept in the project.
    private static readonly string[] IgnoredSegments = [".git", "__pycache__", ".stratus", ".pytest_cache"];

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Channel<string> _changes = Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly string[] _ignoredRoots;
    private readonly TimeProvider _time;

    /// <param name="directories">The project's directory, and code directories that lie outside it.</param>
    /// <param name="ignoredRoots">Directories whose changes do not count (a build's output, which the redeploy itself rewrites).</param>
    public ChangeWatcher(IEnumerable<string> directories, IEnumerable<string> ignoredRoots, TimeProvider time)
    {
        _time = time;
        _ignoredRoots = [.. ignoredRoots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)))];
        foreach (var directory in directories)
        {
            var watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.Renamed += OnEvent;

            // Events lost to an overflowing buffer are still a change.
            watcher.Error += (_, _) => _changes.Writer.TryWrite(directory);
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    /// <summary>Waits for a change, then for the quiet period after the last one; returns a path that changed.</summary>
    public async Task<string> NextAsync(CancellationToken cancellationToken)
    {
        var path = await _changes.Reader.ReadAsync(cancellationToken);
        while (true)
        {
            using var quiet = new CancellationTokenSource(QuietPeriod, _time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quiet.Token);
            try
            {
                path = await _changes.Reader.ReadAsync(either.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return path;
            }
        }
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (!Ignored(e.FullPath))
        {
            _changes.Writer.TryWrite(e.FullPath);
        }
    }

    internal bool Ignored(string path)
    {
        foreach (var root in _ignoredRoots)
        {
            if (path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (var segment in path.Split(Path.DirectorySeparatorChar))
        {
            if (Array.IndexOf(IgnoredSegments, segment) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
