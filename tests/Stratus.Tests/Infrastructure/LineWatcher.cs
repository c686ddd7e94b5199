using System.Text;

namespace Stratus.Tests.Infrastructure;

/// <summary>Reads a running program's output as it comes, so a test can wait for a line (bounded) while the program keeps running.</summary>
public sealed class LineWatcher
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();
    private readonly Task _reading;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LineWatcher(StreamReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reading = Task.Run(async () =>
        {
            string? line;
            while ((line = await reader.ReadLineAsync()) is not null)
            {
                Signal(line + "\n");
            }

            Signal("");
        });
    }

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>Waits (up to 30 s) until <paramref name="expected"/> was printed, after <paramref name="after"/> if given.</summary>
    public async Task WaitForAsync(string expected, string? after = null)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var text = _text.ToString();
                var from = after is null ? 0 : text.IndexOf(after, StringComparison.Ordinal);
                if (from >= 0 && text.IndexOf(expected, from, StringComparison.Ordinal) >= 0)
                {
                    return;
                }

                if (_reading.IsCompleted)
                {
                    throw new Xunit.Sdk.XunitException($"the program ended without printing '{expected}'; it printed:\n{text}");
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"'{expected}' not printed within 30 s; printed:\n{Text}");
            }
        }
    }

    private void Signal(string text)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _text.Append(text);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
