using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace Stratus.Execution;

/// <summary>
/// Reads a process's peak resident memory (VmHWM) from procfs. The file is opened once and re-read
/// from offset 0 each time (procfs regenerates it), which keeps this off the allocation path.
/// </summary>
internal sealed class PeakMemory : IDisposable
{
    private readonly SafeFileHandle? _status;
    private readonly byte[] _buffer = new byte[4096];

    public PeakMemory(int pid)
    {
        try
        {
            _status = File.OpenHandle($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            _status = null;
        }
    }

    /// <summary>Peak resident memory in MB, rounded up; 0 once the process is gone.</summary>
    public long ReadMegabytes()
    {
        if (_status is null)
        {
            return 0;
        }

        try
        {
            var length = RandomAccess.Read(_status, _buffer, 0);
            var text = _buffer.AsSpan(0, length);
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
