using System.Text;

namespace Stratus.Runtime.Testing;

/// <summary>A logger that keeps everything written to it.</summary>
public sealed class TestLambdaLogger : ILambdaLogger
{
    private readonly StringBuilder _buffer = new();

    /// <summary>Everything logged so far.</summary>
    public string Text
    {
        get
        {
            lock (_buffer)
            {
                return _buffer.ToString();
            }
        }
    }

    public void Log(string message)
    {
        lock (_buffer)
        {
            _buffer.Append(message);
        }
    }

    public void LogLine(string message)
    {
        lock (_buffer)
        {
            _buffer.Append(message).Append('\n');
        }
    }
}
