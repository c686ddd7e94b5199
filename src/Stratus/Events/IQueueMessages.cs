namespace Stratus.Events;

/// <summary>
/// Sends messages to Stratus's own queues by ARN: what async-invocation destinations and dead-letter
/// queues use. Implemented by the queue service.
/// </summary>
public interface IQueueMessages
{
    /// <summary>Whether a queue with this ARN exists.</summary>
    bool Exists(string queueArn);

    /// <summary>
    /// Stores a message durably, with optional string message attributes (a dead-letter message carries
    /// RequestID, ErrorCode and ErrorMessage); returns its message id. Throws when the queue does not exist.
    /// </summary>
    ValueTask<string> SendAsync(string queueArn, string body, IReadOnlyDictionary<string, string>? attributes = null, CancellationToken cancellationToken = default);
}
