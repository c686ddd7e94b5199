namespace Stratus.Events.Queues;

/// <summary>SQS's defaults and bounds, which Stratus keeps so clients behave as they do against SQS.</summary>
internal static class QueueLimits
{
    public const int DefaultVisibilityTimeout = 30;
    public const int MaxVisibilityTimeout = 43200;
    public const int MaxDelaySeconds = 900;
    public const int DefaultRetention = 345600;
    public const int MinRetention = 60;
    public const int MaxRetention = 1209600;
    public const int MaxMessageBytes = 262144;
    public const int MinMessageBytes = 1024;
    public const int MaxWaitSeconds = 20;
    public const int MaxBatchEntries = 10;
    public const int MaxMessageAttributes = 10;
    public const int MaxReceiveCountLimit = 1000;
    public const int MaxListResults = 1000;
    public const int DefaultListResults = 1000;
}
