namespace Stratus.Events.Queues;

/// <summary>Queue names as SQS allows them for standard queues: 1 to 80 of [A-Za-z0-9_-].</summary>
public static class QueueNames
{
    public const int MaxLength = 80;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
