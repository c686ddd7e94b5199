namespace Stratus.Events.Queues;

/// <summary>Queue ARNs: <c>arn:aws:sqs:{region}:{account}:{name}</c>.</summary>
public static class QueueArn
{
    public static string Format(string region, string accountId, string name) => $"arn:aws:sqs:{region}:{accountId}:{name}";

    /// <summary>The queue an SQS ARN names, as its registry name (see <see cref="Tenancy.ScopedNames"/>).</summary>
    public static bool TryParse(string? arn, out string key, string rootAccountId)
    {
        key = "";
        var parts = arn?.Split(':');
        if (parts is not { Length: 6 } || parts[0] != "arn" || parts[2] != "sqs" || !QueueNames.IsValid(parts[5])
            || parts[4].Length != 12 || !parts[4].All(char.IsAsciiDigit))
        {
            return false;
        }

        key = Tenancy.ScopedNames.Key(parts[4], parts[5], rootAccountId);
        return true;
    }
}
