using System.Text;

namespace Stratus.Execution;

/// <summary>
/// An instance's output (stdout and stderr merged), which the runtime appends to a file of its own.
/// A runtime writes its log lines before it posts a response, so when the response arrives every
/// line of that invocation is already in the file: reading to the end then needs no reader thread,
/// no wake-up per line, and can never miss or misattribute output.
/// </summary>
internal sealed partial class OutputLog : IDisposable
{
    /// <summary>Most output kept for one invocation's log; the rest is skipped.</summary>
    private const int MaxCharsPerTake = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly FileStream _reader;
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly byte[] _bytes = new byte[16 * 1024];
    private readonly char[] _chars = new char[16 * 1024];
    private bool _disposed;

    public OutputLog(string path)
    {
        _path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        // For Stratus alone: the runtime writes through the descriptor it is started with.
        _reader = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }

    public string Path => _path;

    /// <summary>Returns what was written since the last call.</summary>
    public string Take()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return "";
            }

            // Most invocations print nothing: one read finds the end, and nothing is built.
            var read = _reader.Read(_bytes);
            if (read == 0)
            {
                return "";
            }

            var text = new StringBuilder();
            do
            {
                if (text.Length >= MaxCharsPerTake)
                {
                    // Too much for one log record: drop the rest of it, keep reading position current.
                    _reader.Seek(0, SeekOrigin.End);
                    text.Append("\n[output truncated]\n");
                    break;
                }

                var chars = _decoder.GetChars(_bytes, 0, read, _chars, 0, flush: false);
                text.Append(_chars, 0, chars);
            }
            while ((read = _reader.Read(_bytes)) > 0);

            ReleaseReadBlocks();
            return text.ToString();
        }
    }

    /// <summary>
    /// Frees the disk blocks of output already read, without moving the end of the file: the runtime
    /// keeps appending where it was, and a long-lived instance never fills the disk with old logs.
    /// </summary>
    private void ReleaseReadBlocks()
    {
        var position = _reader.Position;
        if (position - _released < ReleaseThreshold)
        {
            return;
        }

        var end = position & ~(BlockSize - 1);
        if (Fallocate(_reader.SafeFileHandle, PunchHole | KeepSize, 0, end) == 0)
        {
            _released = end;
        }
    }

    private const int PunchHole = 0x02;
    private const int KeepSize = 0x01;
    private const long BlockSize = 4096;
    private const long ReleaseThreshold = 1024 * 1024;
    private long _released;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(Microsoft.Win32.SafeHandles.SafeFileHandle fd, int mode, long offset, long length);

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _reader.Dispose();
            File.Delete(_path);
        }
    }
}
