using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;

namespace Stratus.Billing;

/// <summary>
/// The usage ledger's write-ahead journal: each record is appended to a file (one write system call,
/// in the kernel before the reply leaves, so a killed server still has it) and imported into the store
/// in batches afterwards. Files rotate; a file goes once every record in it is committed to the store.
/// At start, the files a killed server left are imported again (the store keeps one record per request
/// id and attempt, so a record imported twice counts once).
/// </summary>
internal sealed class UsageJournal : IDisposable
{
    private const long RotateBytes = 4 * 1024 * 1024;
    private readonly string _directory;
    private readonly Lock _lock = new();
    private Segment _current;
    private long _sequence;

    public UsageJournal(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _sequence = Directory.EnumerateFiles(directory, "*.journal").Select(SequenceOf).DefaultIfEmpty(0).Max();
        _current = Open();
    }

    /// <summary>A journal file, with how many of its records were written and how many are committed.</summary>
    internal sealed class Segment(string path, SafeFileHandle handle)
    {
        public string Path { get; } = path;

        public SafeFileHandle Handle { get; } = handle;

        public long Length;
        public long Appended;
        public long Committed;
        public bool Closed;
    }

    /// <summary>Records in the files an earlier server left, oldest first, and those files.</summary>
    public static (List<UsageRecord> Records, List<string> Files) ReadLeftovers(string directory, string except)
    {
        var records = new List<UsageRecord>();
        var files = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.journal").Where(f => f != except).OrderBy(SequenceOf).ToList()
            : [];
        foreach (var file in files)
        {
            foreach (var line in File.ReadLines(file))
            {
                // A line cut short by the kill was never acknowledged: its reply did not leave.
                if (TryParse(line, out var record))
                {
                    records.Add(record);
                }
            }
        }

        return (records, files);
    }

    public string CurrentPath => _current.Path;

    /// <summary>Writes the record to the journal; returns the file it is in.</summary>
    public Segment Append(UsageRecord record)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(record, UsageJournalJson.Default.UsageRecord);
        var bytes = new byte[line.Length + 1];
        line.CopyTo(bytes, 0);
        bytes[^1] = (byte)'\n';
        lock (_lock)
        {
            var segment = _current;
            RandomAccess.Write(segment.Handle, bytes, segment.Length);
            segment.Length += bytes.Length;
            segment.Appended++;
            if (segment.Length >= RotateBytes)
            {
                segment.Closed = true;
                _current = Open();
            }

            return segment;
        }
    }

    /// <summary>Counts records of <paramref name="segment"/> as committed; removes a closed file once all are.</summary>
    public void Committed(Segment segment, int count)
    {
        bool done;
        lock (_lock)
        {
            segment.Committed += count;
            done = segment.Closed && segment.Committed >= segment.Appended;
        }

        if (done)
        {
            segment.Handle.Dispose();
            File.Delete(segment.Path);
        }
    }

    /// <summary>Closes the current file, and removes it when every record in it is committed (a graceful stop).</summary>
    public void Dispose()
    {
        Segment current;
        lock (_lock)
        {
            current = _current;
            current.Closed = true;
        }

        Committed(current, 0);
        current.Handle.Dispose();
    }

    private Segment Open()
    {
        var path = Path.Combine(_directory, (++_sequence).ToString("D12", System.Globalization.CultureInfo.InvariantCulture) + ".journal");
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, FileOptions.None);
        File.SetUnixFileMode(handle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new Segment(path, handle);
    }

    private static long SequenceOf(string file) =>
        long.TryParse(Path.GetFileNameWithoutExtension(file), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static bool TryParse(string line, out UsageRecord record)
    {
        try
        {
            record = JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(line), UsageJournalJson.Default.UsageRecord)!;
            return record is not null;
        }
        catch (JsonException)
        {
            record = null!;
            return false;
        }
    }
}

[JsonSerializable(typeof(UsageRecord))]
internal sealed partial class UsageJournalJson : JsonSerializerContext;
