using System.IO.MemoryMappedFiles;
using System.Runtime.Intrinsics.X86;

namespace Stratus.Billing;

/// <summary>
/// One file of the usage journal, mapped into memory and shared with the kernel's page cache: a record
/// copied into it is in the file the moment the copy ends, with no system call, and survives the
/// process being killed (not the machine losing power: nothing is flushed to the disk). The file is
/// cut into fixed slots; a writer takes the next slot with one atomic increment, fills it, and marks
/// it written last, so a slot a killed writer left half-filled is never read as a record.
/// </summary>
internal sealed unsafe class JournalFile : IDisposable
{
    public const int SlotBytes = 512;
    public const int Slots = 8192;
    private const int PageBytes = 4096;
    private const int SlotsPerPage = PageBytes / SlotBytes;
    private const int HeaderBytes = 8;
    private const uint WrittenMark = 0x5354_5531;
    private const int CacheLineBytes = 64;

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private long _reserved;

    private JournalFile(string path, long number, MemoryMappedFile map)
    {
        Path = path;
        Number = number;
        _map = map;
        _view = map.CreateViewAccessor(0, (long)SlotBytes * Slots);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    public string Path { get; private set; }

    /// <summary>The file's place in the journal: numbers grow and are never reused (a reused file takes a new one).</summary>
    public long Number { get; private set; }

    /// <summary>Slots before this one are imported into the store (the importer's own cursor).</summary>
    public int Imported { get; set; }

    /// <summary>Slots handed out so far (at most <see cref="Slots"/>).</summary>
    public int Reserved => (int)Math.Min(Volatile.Read(ref _reserved), Slots);

    public bool IsFull => Volatile.Read(ref _reserved) >= Slots;

    public static int MaxPayload => SlotBytes - HeaderBytes;

    /// <summary>A new, empty file (zero-filled, so every slot reads as not written).</summary>
    public static JournalFile Create(string path, long number)
    {
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            stream.SetLength((long)SlotBytes * Slots);
            return new JournalFile(path, number, MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Zeroes every slot of a file whose records are all imported, so it can be reused.</summary>
    public void Clear() => new Span<byte>(_base, SlotBytes * Slots).Clear();

    /// <summary>
    /// Makes a cleared file the journal file <paramref name="number"/> at <paramref name="path"/>. Its pages
    /// stay mapped and writable, so its writers take no page fault. A writer still holding it from
    /// before found it full; it may now write into it as the new file, which is where its record belongs.
    /// </summary>
    public void Reuse(string path, long number)
    {
        File.Move(Path, path);
        Path = path;
        Number = number;
        Imported = 0;
        Touched = Slots;
        // Last: slots are handed out again only once the file is ready for them.
        Volatile.Write(ref _reserved, 0);
    }

    /// <summary>Slots before this one are on pages already faulted in (the importer's own cursor).</summary>
    public int Touched { get; private set; }

    /// <summary>
    /// Faults in the pages up to slot <paramref name="slots"/> ahead of the writers. The first write to
    /// a page of a shared file mapping traps into the file system (on ext4 it allocates the block and
    /// can wait for the file system's journal: milliseconds on a busy disk); done here, on the importer,
    /// not on the reply path. An atomic compare-exchange of 0 with 0 on each page's first mark makes the
    /// page writable without changing anything a writer may be writing at the same moment.
    /// </summary>
    public void Touch(int slots)
    {
        var end = Math.Min(slots, Slots);
        for (var slot = Touched; slot < end; slot += SlotsPerPage)
        {
            Interlocked.CompareExchange(ref *(uint*)(_base + ((long)slot * SlotBytes)), 0, 0);
        }

        Touched = Math.Max(Touched, (end + SlotsPerPage - 1) / SlotsPerPage * SlotsPerPage);
    }

    /// <summary>Copies <paramref name="payload"/> into the next slot; false when the file is full.</summary>
    public bool TryWrite(ReadOnlySpan<byte> payload)
    {
        var slot = Interlocked.Increment(ref _reserved) - 1;
        if (slot >= Slots)
        {
            return false;
        }

        var at = _base + (slot * SlotBytes);
        payload.CopyTo(new Span<byte>(at + HeaderBytes, MaxPayload));
        *(int*)(at + 4) = payload.Length;
        // The mark goes last, after the payload is in place, for the importer and for a later start.
        Volatile.Write(ref *(uint*)at, WrittenMark);
        // The next record goes there: its lines come from memory now, not while a reply waits for it.
        Prefetch((int)slot + 1, payload.Length);
        return true;
    }

    /// <summary>Starts loading the lines of <paramref name="slot"/> that a record of about <paramref name="payloadBytes"/> bytes takes.</summary>
    public void Prefetch(int slot, int payloadBytes)
    {
        if (!Sse.IsSupported || slot >= Slots)
        {
            return;
        }

        var at = _base + ((long)slot * SlotBytes);
        for (var line = 0; line < Math.Min(HeaderBytes + payloadBytes, SlotBytes); line += CacheLineBytes)
        {
            Sse.Prefetch0(at + line);
        }
    }

    /// <summary>The payload of <paramref name="slot"/>, or false while it is not written (yet).</summary>
    public bool TryRead(int slot, out ReadOnlySpan<byte> payload) => TryRead(new ReadOnlySpan<byte>(_base + ((long)slot * SlotBytes), SlotBytes), out payload);

    /// <summary>The written slots from <paramref name="firstSlot"/> on of a file an earlier server left, however far it got.</summary>
    public static List<(int Slot, byte[] Payload)> ReadLeftover(string path, int firstSlot)
    {
        var bytes = File.ReadAllBytes(path);
        var payloads = new List<(int, byte[])>();
        for (var slot = firstSlot; ((long)slot + 1) * SlotBytes <= bytes.Length; slot++)
        {
            if (TryRead(bytes.AsSpan(slot * SlotBytes, SlotBytes), out var payload))
            {
                payloads.Add((slot, payload.ToArray()));
            }
        }

        return payloads;
    }

    /// <summary>
    /// Unmaps the file without flushing it: the records are in the page cache, which outlives the
    /// process, and the file is usually deleted next. The view accessor's own Dispose would msync all
    /// of it to the disk first (milliseconds of synchronous writing per file, for nothing: a power
    /// loss is not covered anyway), so the view is unmapped before it, which then skips the flush.
    /// </summary>
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.SafeMemoryMappedViewHandle.Dispose();
        _view.Dispose();
        _map.Dispose();
    }

    private static bool TryRead(ReadOnlySpan<byte> slot, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        fixed (byte* at = slot)
        {
            if (Volatile.Read(ref *(uint*)at) != WrittenMark)
            {
                return false;
            }

            var length = *(int*)(at + 4);
            if (length is <= 0 || length > MaxPayload)
            {
                return false;
            }

            payload = slot.Slice(HeaderBytes, length);
            return true;
        }
    }
}
