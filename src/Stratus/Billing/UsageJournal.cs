using System.Globalization;

namespace Stratus.Billing;

/// <summary>
/// The usage ledger's write-ahead journal: a sequence of memory-mapped <see cref="JournalFile"/>s.
/// Appending costs a slot reservation and a copy, no system call and no lock, so every invocation
/// can be journalled before its reply leaves. A new file is started when the current one is full;
/// a file goes once every record in it is imported into the store.
/// </summary>
internal sealed class UsageJournal : IDisposable
{
    private const string Extension = ".usage";
    private readonly string _directory;
    private readonly Lock _files = new();
    private readonly List<JournalFile> _open = [];
    private JournalFile _current;
    private JournalFile? _next;
    private JournalFile? _spare;
    private long _sequence;
    private (long File, int Slot) _lastSeen;

    /// <param name="lastNumber">The highest file number the store knows: a new file takes a higher one.</param>
    public UsageJournal(string directory, long lastNumber)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Leftovers = Directory.EnumerateFiles(directory, "*" + Extension).OrderBy(NumberOf).ToList();
        _sequence = Math.Max(lastNumber, Leftovers.Select(NumberOf).DefaultIfEmpty(0).Max());
        _current = Open();
        _lastSeen = (_current.Number, 0);
    }

    /// <summary>Files an earlier server left (killed, or its store failing): to import, then delete.</summary>
    public IReadOnlyList<string> Leftovers { get; }

    /// <summary>Journals the encoded record; on return it is in the file.</summary>
    public void Append(ReadOnlySpan<byte> payload)
    {
        var file = Volatile.Read(ref _current);
        while (!file.TryWrite(payload))
        {
            lock (_files)
            {
                // The first writer to find the file full moves on to the next (made ahead by
                // Prepare, or now); the others use that one.
                if (_current == file)
                {
                    _current = _next ?? Open();
                    _next = null;
                }

                file = _current;
            }
        }
    }

    /// <summary>
    /// Keeps the writers off the file system: faults in the pages they will need before the next call
    /// (twice what they used since the last one, and at least 64 pages), and opens the next file
    /// before the current one is full. Called by the importer on every round.
    /// </summary>
    public void Prepare()
    {
        var current = Volatile.Read(ref _current);
        var reserved = current.Reserved;
        var used = current.Number == _lastSeen.File ? reserved - _lastSeen.Slot : reserved + JournalFile.Slots - _lastSeen.Slot;
        _lastSeen = (current.Number, reserved);
        var ahead = Math.Max(512, 2 * used);
        current.Touch(reserved + ahead);
        if (reserved + ahead > JournalFile.Slots)
        {
            JournalFile next;
            lock (_files)
            {
                next = _next ??= Open();
            }

            next.Touch(reserved + ahead - JournalFile.Slots);
        }
    }

    /// <summary>The files not yet fully imported, oldest first.</summary>
    public JournalFile[] Snapshot()
    {
        lock (_files)
        {
            return [.. _open];
        }
    }

    /// <summary>
    /// Takes a full file whose records are all imported out of the journal. It is cleared and kept, still
    /// mapped, to become a later file: a new file would cost the writers a page fault (and the file
    /// system a block allocation) every 4 KB, tens of thousands a second under load, and deleting it the
    /// same again.
    /// </summary>
    public void Retire(JournalFile file)
    {
        lock (_files)
        {
            _open.Remove(file);
        }

        // Cleared before it can be handed out again: a slot reads as written only after a writer's mark.
        file.Clear();
        lock (_files)
        {
            if (_spare is null)
            {
                _spare = file;
                return;
            }
        }

        file.Dispose();
        File.Delete(file.Path);
    }

    /// <summary>Unmaps every file; deletes those fully imported (all of them after a clean stop, the next one included).</summary>
    public void Dispose()
    {
        foreach (var file in Snapshot())
        {
            var done = file.Imported >= file.Reserved;
            file.Dispose();
            if (done)
            {
                File.Delete(file.Path);
            }
        }

        if (_spare is { } spare)
        {
            spare.Dispose();
            File.Delete(spare.Path);
        }
    }

    private JournalFile Open()
    {
        _sequence++;
        var path = Path.Combine(_directory, _sequence.ToString("D12", CultureInfo.InvariantCulture) + Extension);
        JournalFile file;
        if (_spare is { } spare)
        {
            // Renamed to its new number once clear: a server killed before that finds an empty file of
            // an imported number, and one killed after it an empty new file.
            _spare = null;
            spare.Reuse(path, _sequence);
            file = spare;
        }
        else
        {
            file = JournalFile.Create(path, _sequence);
        }

        _open.Add(file);
        return file;
    }

    public static long NumberOf(string file) =>
        long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
