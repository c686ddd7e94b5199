using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace Stratus.Execution;

/// <summary>
/// Reads an instance's peak memory: from its cgroup's accounting (every process of the instance,
/// page cache included) where Stratus has one, else the runtime process's peak resident memory
/// (VmHWM) from procfs. The file is opened once and re-read from offset 0 each time (the kernel
/// regenerates it), which keeps this off the allocation path.
/// </summary>
internal sealed class PeakMemory : IDisposable
{
    private readonly SafeFileHandle? _status;
    private readonly bool _isCgroup;
    private readonly byte[] _buffer = new byte[4096];
    private readonly TimeProvider _time;
    private long _readAt;
    private long _megabytes;

    private PeakMemory(string path, bool isCgroup, TimeProvider time)
    {
        _time = time;
        _isCgroup = isCgroup;
        try
        {
            _status = File.OpenHandle(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _status = null;
        }
    }

    public static PeakMemory ForProcess(int pid, TimeProvider time) => new($"/proc/{pid}/status", isCgroup: false, time);

    /// <summary>A cgroup file holding a byte count (<c>memory.peak</c>, <c>memory.max_usage_in_bytes</c>).</summary>
    public static PeakMemory ForCgroup(string path, TimeProvider time) => new(path, isCgroup: true, time);

    /// <summary>
    /// Peak resident memory in MB, rounded up. Generating the procfs file costs tens of microseconds,
    /// so under heavy load it is read at most every <see cref="RefreshInterval"/>: a peak only grows,
    /// and a value that old is what a fast function's REPORT line shows.
    /// </summary>
    public long ReadMegabytes()
    {
        if (_status is null)
        {
            return 0;
        }

        if (_readAt != 0 && _time.GetElapsedTime(_readAt) < RefreshInterval)
        {
            return _megabytes;
        }

        _readAt = _time.GetTimestamp();
        return _megabytes = Read();
    }

    public static TimeSpan RefreshInterval { get; } = TimeSpan.FromMilliseconds(20);

    private long Read()
    {
        try
        {
            var length = RandomAccess.Read(_status!, _buffer, 0);
            var text = _buffer.AsSpan(0, length);
            if (_isCgroup)
            {
                return Utf8Parser.TryParse(text, out long bytes, out _) ? (bytes + (1024 * 1024) - 1) / (1024 * 1024) : 0;
            }

            var at = text.IndexOf("VmHWM:"u8);
            if (at < 0)
            {
                return 0;
            }

            var value = text[(at + 6)..].TrimStart(" \t"u8);
            return Utf8Parser.TryParse(value, out long kilobytes, out _) ? (kilobytes + 1023) / 1024 : 0;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The process is gone, or the instance was torn down while its last log was written.
            return 0;
        }
    }

    public void Dispose() => _status?.Dispose();
}
