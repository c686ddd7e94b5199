using System.Text;

namespace Stratus.Execution;

/// <summary>
/// Collects an instance's output (stdout with stderr merged into it) and cuts it at invocation
/// boundaries. A runtime writes its logs before it posts a response, but our reader may not have
/// read them yet; <see cref="DrainAsync"/> writes a marker into the same pipe and waits until the
/// reader reaches it, so everything written before the response is attributed to that invocation.
/// </summary>
internal sealed class OutputCapture : IDisposable
{
    private static readonly byte[] Marker = "\u001eSTRATUS-DRAIN\u001e"u8.ToArray();
    private const int MaxBufferedChars = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly Queue<TaskCompletionSource> _drains = new();
    private readonly char[] _chars = new char[8192];
    private FileStream? _markerWriter;
    private byte[] _pending = [];
    private bool _closed;

    /// <summary>Opens the write side of the child's stdout pipe through /proc so markers share its order.</summary>
    public void AttachMarkerWriter(int pid)
    {
        try
        {
            _markerWriter = new FileStream($"/proc/{pid}/fd/1", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process is already gone; its exit path reports what happened.
            _markerWriter = null;
        }
    }

    /// <summary>
    /// Reads the pipe on a thread of its own. Anonymous pipes have no asynchronous reads on Linux:
    /// an async read would park a thread-pool thread per instance for its whole life and starve the pool.
    /// </summary>
    public Task StartPump(Stream output, string threadName)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Pump(output);
            }
            finally
            {
                done.TrySetResult();
            }
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = threadName,
        };
        thread.Start();
        return done.Task;
    }

    private void Pump(Stream output)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = output.Read(buffer)) > 0)
            {
                Consume(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            // The pipe broke with the process; what was read is kept.
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Waits until every byte the process wrote before this call has been collected.</summary>
    public Task DrainAsync()
    {
        TaskCompletionSource waiter;
        FileStream writer;
        lock (_lock)
        {
            if (_closed || _markerWriter is null)
            {
                return Task.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drains.Enqueue(waiter);
            writer = _markerWriter;
        }

        // Written outside the lock: a full pipe blocks until the reader, which needs the lock, empties it.
        try
        {
            writer.Write(Marker);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            waiter.TrySetResult();
        }

        return waiter.Task;
    }

    /// <summary>Returns and clears what has been collected so far.</summary>
    public string Take()
    {
        lock (_lock)
        {
            var text = _text.ToString();
            _text.Clear();
            return text;
        }
    }

    public void Dispose() => Close();

    private void Consume(ReadOnlySpan<byte> chunk)
    {
        lock (_lock)
        {
            // Marker bytes may be split across reads: keep a tail short enough to hold a partial marker.
            ReadOnlySpan<byte> data = chunk;
            byte[]? joined = null;
            if (_pending.Length > 0)
            {
                joined = [.. _pending, .. chunk];
                data = joined;
                _pending = [];
            }

            int index;
            while ((index = data.IndexOf(Marker)) >= 0)
            {
                Append(data[..index], flush: true);
                data = data[(index + Marker.Length)..];
                if (_drains.TryDequeue(out var drain))
                {
                    drain.TrySetResult();
                }
            }

            var keep = PartialMarkerLength(data);
            Append(data[..^keep], flush: false);
            _pending = data[^keep..].ToArray();
        }
    }

    private static int PartialMarkerLength(ReadOnlySpan<byte> data)
    {
        for (var length = Math.Min(Marker.Length - 1, data.Length); length > 0; length--)
        {
            if (data[^length..].SequenceEqual(Marker.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }

    private void Append(ReadOnlySpan<byte> bytes, bool flush)
    {
        while (true)
        {
            _decoder.Convert(bytes, _chars, flush, out var used, out var produced, out var completed);
            if (_text.Length < MaxBufferedChars)
            {
                _text.Append(_chars, 0, produced);
            }

            bytes = bytes[used..];
            if (completed)
            {
                return;
            }
        }
    }

    private void Close()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            Append(_pending, flush: true);
            _pending = [];
            _markerWriter?.Dispose();
            while (_drains.TryDequeue(out var drain))
            {
                drain.TrySetResult();
            }
        }
    }

    /// <summary>Stops writing markers so the pipe can reach end-of-file once the process is gone.</summary>
    public void DetachMarkerWriter()
    {
        lock (_lock)
        {
            _markerWriter?.Dispose();
            _markerWriter = null;
            while (_drains.TryDequeue(out var drain))
            {
                drain.TrySetResult();
            }
        }
    }
}
