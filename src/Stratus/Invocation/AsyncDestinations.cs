using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Stratus.Api;
using Stratus.Events;
using Stratus.Execution;
using Stratus.Storage;

namespace Stratus.Invocation;

/// <summary>
/// Sends the outcome of an asynchronous invocation where its configuration says: a destination record
/// to a function (as another async event) or a queue, and a failed event's payload to the function's
/// dead-letter queue. Deliveries happen before the event leaves the queue, so a crash repeats them;
/// a function destination is deduplicated by the event's request id.
/// </summary>
public sealed partial class AsyncDestinations
{
    private const int MaxDeadLetterMessageChars = 1024;
    private readonly IAsyncInvocations _invocations;
    private readonly IQueueMessages? _queues;
    private readonly FunctionMapper _mapper;
    private readonly TimeProvider _time;
    private readonly ILogger<AsyncDestinations> _logger;

    internal AsyncDestinations(IAsyncInvocations invocations, IQueueMessages? queues, FunctionMapper mapper, TimeProvider time, ILogger<AsyncDestinations> logger)
    {
        ArgumentNullException.ThrowIfNull(invocations);
        _invocations = invocations;
        _queues = queues;
        _mapper = mapper;
        _time = time;
        _logger = logger;
    }

    /// <summary>Sends the destination record for <paramref name="condition"/> to <paramref name="destination"/>, if one is set.</summary>
    public async Task SendRecordAsync(StoredEvent queued, string? destination, string condition, int invokeCount, InvocationResult? response)
    {
        ArgumentNullException.ThrowIfNull(queued);
        if (destination is null || AsyncTarget.TryParse(destination) is not { } target)
        {
            return;
        }

        var record = DestinationRecord.Create(
            _time.GetUtcNow(),
            queued.RequestId,
            _mapper.Arn(queued.FunctionName, queued.Qualifier ?? "$LATEST"),
            condition,
            invokeCount,
            queued.Payload,
            response,
            "$LATEST");
        await SendAsync(target, queued.RequestId, condition, record, attributes: null);
    }

    /// <summary>Sends a finally failed event's payload to the dead-letter queue, with Lambda's attributes.</summary>
    public async Task SendDeadLetterAsync(StoredEvent queued, string? targetArn, InvocationResult? response, string fallbackError)
    {
        ArgumentNullException.ThrowIfNull(queued);
        if (targetArn is null || AsyncTarget.TryParse(targetArn) is not { IsQueue: true } target)
        {
            return;
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RequestID"] = queued.RequestId,
            ["ErrorCode"] = "200",
            ["ErrorMessage"] = Truncate(ErrorMessage(response) ?? fallbackError),
        };
        await SendAsync(target, queued.RequestId, "DeadLetter", queued.Payload, attributes);
    }

    /// <remarks>
    /// A destination that does not exist (any more) cannot take the record: that is the configuration's
    /// problem and waiting would not fix it, so it is logged and skipped. Any other failure propagates:
    /// the event stays queued and its outcome is delivered again later.
    /// </remarks>
    private async Task SendAsync(AsyncTarget target, string requestId, string condition, byte[] body, Dictionary<string, string>? attributes)
    {
        if (target.IsQueue)
        {
            if (_queues is null || !_queues.Exists(target.Arn))
            {
                Log.NoQueue(_logger, target.Arn, requestId);
                return;
            }

            await _queues.SendAsync(target.Arn, Encoding.UTF8.GetString(body), attributes);
            return;
        }

        try
        {
            // The key makes the record arrive once even when a crash makes this delivery run twice.
            await _invocations.EnqueueAsync(new AsyncEvent(target.Function.AccountId is { } account ? _mapper.KeyOf(account, target.Function.Name) : target.Function.Name, target.Function.Qualifier, body, "destination", $"destination:{requestId}:{condition}"));
        }
        catch (LambdaException ex) when (ex.StatusCode is 404 or 413)
        {
            Log.DeliveryFailed(_logger, target.Arn, requestId, ex);
        }
    }

    private static string? ErrorMessage(InvocationResult? response)
    {
        if (response is null || response.Payload.IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(response.Payload);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("errorMessage", out var message)
                ? message.ToString()
                : document.RootElement.ToString();
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(response.Payload.Span);
        }
    }

    private static string Truncate(string message) => message.Length <= MaxDeadLetterMessageChars ? message : message[..MaxDeadLetterMessageChars];

    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Error, "Outcome of event {RequestId} could not be sent to {Destination}")]
        public static partial void DeliveryFailed(ILogger logger, string destination, string requestId, Exception exception);

        [LoggerMessage(41, LogLevel.Error, "Outcome of event {RequestId} not sent to {Destination}: no such queue on this server")]
        public static partial void NoQueue(ILogger logger, string destination, string requestId);
    }
}
