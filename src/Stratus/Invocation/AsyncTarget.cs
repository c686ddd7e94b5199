using System.Text.RegularExpressions;
using Stratus.Api;
using Stratus.Functions;

namespace Stratus.Invocation;

/// <summary>Where a destination or a dead-letter queue sends records: a function or a Stratus queue, by ARN.</summary>
public readonly partial record struct AsyncTarget(string Arn, bool IsQueue, FunctionArn Function)
{
    /// <summary>Parses a destination ARN; null when it is neither a function ARN nor a queue ARN.</summary>
    public static AsyncTarget? TryParse(string arn)
    {
        ArgumentNullException.ThrowIfNull(arn);
        if (QueuePattern().IsMatch(arn))
        {
            return new AsyncTarget(arn, IsQueue: true, default);
        }

        if (arn.StartsWith("arn:aws:lambda:", StringComparison.Ordinal) && arn.Length <= 256)
        {
            try
            {
                return new AsyncTarget(arn, IsQueue: false, FunctionArn.Parse(arn));
            }
            catch (LambdaException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="arn"/> names a queue (what a DeadLetterConfig may name).</summary>
    public static bool IsQueueArn(string arn) => QueuePattern().IsMatch(arn);

    [GeneratedRegex(@"^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$", RegexOptions.CultureInvariant)]
    private static partial Regex QueuePattern();
}
