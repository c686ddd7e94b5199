using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace Stratus.Execution;

/// <summary>
/// Reads the CPU time an instance's cgroup has used so far, in microseconds: <c>usage_usec</c> of
/// <c>cpu.stat</c> on cgroup v2, <c>cpuacct.usage</c> (nanoseconds) on v1 where the cpuacct
/// controller shares the cpu hierarchy. Without either (no cgroup, or cpuacct mounted apart) it
/// reads 0: the ledger then records no CPU time rather than a guess. The file is opened once and
/// re-read from offset 0, as the kernel regenerates it.
/// </summary>
internal sealed class CpuTime : IDisposable
{
    private readonly SafeFileHandle? _file;
    private readonly bool _isV2;
    private readonly byte[] _buffer = new byte[1024];

    public CpuTime(string? path, bool isV2)
    {
        _isV2 = isV2;
        if (path is null)
        {
            return;
        }

        try
        {
            _file = File.OpenHandle(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _file = null;
        }
    }

    public bool Available => _file is not null;

    public long ReadMicros()
    {
        if (_file is null)
        {
            return 0;
        }

        try
        {
            var length = RandomAccess.Read(_file, _buffer, 0);
            return Parse(_buffer.AsSpan(0, length), _isV2);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return 0;
        }
    }

    internal static long Parse(ReadOnlySpan<byte> text, bool isV2)
    {
        if (!isV2)
        {
            return Utf8Parser.TryParse(text, out long nanoseconds, out _) ? nanoseconds / 1000 : 0;
        }

        var at = text.IndexOf("usage_usec "u8);
        return at >= 0 && Utf8Parser.TryParse(text[(at + 11)..], out long micros, out _) ? micros : 0;
    }

    public void Dispose() => _file?.Dispose();
}
