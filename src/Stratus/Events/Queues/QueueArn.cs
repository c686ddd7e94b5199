namespace Stratus.Events.Queues;

/// <summary>Queue ARNs: <c>arn:aws:sqs:{region}:{account}:{name}</c>.</summary>
public static class QueueArn
{
    public static string Format(string region, string accountId, string name) => $"arn:aws:sqs:{region}:{accountId}:{name}";

    /// <summary>The queue name of an SQS ARN (of <paramref name="accountId"/> when given).</summary>
    public static bool TryParse(string? arn, out string name, string? accountId = null)
    {
        name = "";
        var parts = arn?.Split(':');
        if (parts is not { Length: 6 } || parts[0] != "arn" || parts[2] != "sqs" || !QueueNames.IsValid(parts[5]))
        {
            return false;
        }

        if (accountId is not null && parts[4] != accountId)
        {
            return false;
        }

        name = parts[5];
        return true;
    }
}
