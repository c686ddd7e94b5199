using System.Globalization;
using System.Text.Json;
using Stratus.Hosting;
using Stratus.Storage;

namespace Stratus.Events.Queues;

/// <summary>
/// Stratus's queues with SQS's semantics over an <see cref="IQueueStore"/>: checks every input, stamps
/// messages, long-polls on signals, and redrives poison messages. Time comes from the
/// <see cref="TimeProvider"/>, so visibility, delay and retention follow a fake clock in tests.
/// </summary>
internal sealed class QueueService : IQueueMessages
{
    private readonly IQueueStore _store;
    private readonly TimeProvider _time;
    private readonly QueueSignals _signals = new();

    public QueueService(IQueueStore store, StratusOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _time = time;
        Region = options.Region;
        AccountId = options.AccountId;
    }

    public string Region { get; }

    public string AccountId { get; }

    /// <summary>The ARN of a queue by its registry name (see <see cref="Tenancy.ScopedNames"/>).</summary>
    public string Arn(string name) => QueueArn.Format(Region, Tenancy.ScopedNames.Owner(name, AccountId), Tenancy.ScopedNames.Display(name));

    public string Url(string endpoint, string name) =>
        $"{endpoint.TrimEnd('/')}/{Tenancy.ScopedNames.Owner(name, AccountId)}/{Tenancy.ScopedNames.Display(name)}";

    /// <summary>The registry name of a queue of <paramref name="accountId"/> (the root account when null).</summary>
    public string KeyOf(string? accountId, string name) => Tenancy.ScopedNames.Key(accountId ?? AccountId, name, AccountId);

    /// <summary>
    /// The queue a QueueUrl names (<c>/account/name</c>), as its registry name. A queue of another account
    /// than the caller's does not exist, unless the caller is the root account.
    /// </summary>
    public string NameFromUrl(string? url, Tenancy.Caller? caller = null)
    {
        if (string.IsNullOrEmpty(url))
        {
            throw SqsException.Missing("QueueUrl");
        }

        var path = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : url;
        var parts = path.Trim('/').Split('/');
        if (parts.Length != 2 || !QueueNames.IsValid(parts[1]) || parts[0].Length != 12 || !parts[0].All(char.IsAsciiDigit)
            || (caller is not null && parts[0] != caller.AccountId && !caller.IsRoot))
        {
            throw SqsException.QueueDoesNotExist();
        }

        return Tenancy.ScopedNames.Key(parts[0], parts[1], AccountId);
    }

    public QueueDefinition Get(string name) => _store.GetQueue(name) ?? throw SqsException.QueueDoesNotExist();

    /// <summary>Creates the queue, or returns the existing one when its attributes are the same.</summary>
    public QueueDefinition Create(string? name, IReadOnlyDictionary<string, string>? attributes, string? ownerAccountId = null)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw SqsException.Missing("QueueName");
        }

        if (name.EndsWith(".fifo", StringComparison.Ordinal))
        {
            throw SqsException.InvalidParameter("Stratus queues are standard queues: FIFO queues (names ending in .fifo) are not supported.");
        }

        if (!QueueNames.IsValid(name))
        {
            throw SqsException.InvalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        }

        name = KeyOf(ownerAccountId, name);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var fresh = QueueAttributes.Apply(
            new QueueDefinition(name, QueueLimits.DefaultVisibilityTimeout, 0, QueueLimits.DefaultRetention, QueueLimits.MaxMessageBytes, 0, null, new Dictionary<string, string>(), now, now),
            attributes,
            QueueExists,
            AccountId);
        if (_store.CreateQueue(fresh))
        {
            return fresh;
        }

        var existing = Get(name);
        if (!SameSettings(existing, fresh))
        {
            throw new SqsException("QueueNameExists", $"A queue already exists with the same name and a different value for attribute(s) {string.Join(", ", attributes?.Keys ?? [])}", "QueueAlreadyExists");
        }

        return existing;
    }

    /// <summary>The queues of one account (the root account when null) by registry name.</summary>
    public (IReadOnlyList<string> Names, string? Next) List(string? prefix, string? nextToken, int? maxResults, string? ownerAccountId = null)
    {
        if (maxResults is < 1 or > QueueLimits.MaxListResults)
        {
            throw SqsException.InvalidParameter($"Value {maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and {QueueLimits.MaxListResults}.");
        }

        var after = nextToken is null ? null : DecodeToken(nextToken);
        var limit = maxResults ?? QueueLimits.DefaultListResults;
        var owner = ownerAccountId ?? AccountId;
        var scope = owner == AccountId ? "" : owner + Tenancy.ScopedNames.Separator;
        // The root account's queues have bare names: other accounts' (account/name) are skipped.
        var names = _store.ListQueues(scope + (prefix ?? ""), after, owner == AccountId ? limit + 1 + 1000 : limit + 1)
            .Where(n => owner != AccountId || !n.Contains(Tenancy.ScopedNames.Separator, StringComparison.Ordinal))
            .Take(limit + 1)
            .ToList();
        if (names.Count <= limit)
        {
            return (names, null);
        }

        var page = names.Take(limit).ToList();
        return (page, maxResults is null ? null : Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(page[^1])));
    }

    public void Delete(string name)
    {
        if (!_store.DeleteQueue(name))
        {
            throw SqsException.QueueDoesNotExist();
        }

        _signals.Pulse(name);
    }

    public void SetAttributes(string name, IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is null)
        {
            throw SqsException.Missing("Attributes");
        }

        var updated = QueueAttributes.Apply(Get(name), attributes, QueueExists, AccountId);
        _store.UpdateQueue(updated with { ModifiedAt = _time.GetUtcNow().ToUnixTimeMilliseconds() });
        _signals.Pulse(name);
    }

    public Dictionary<string, string> GetAttributes(string name, IReadOnlyList<string>? names)
    {
        var queue = Get(name);
        var wanted = names is null || names.Count == 0 ? [] : names.Contains("All") ? QueueAttributes.Readable : names.ToArray();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (wanted.Length == 0)
        {
            return result;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var counts = _store.Count(name, now, now - (queue.MessageRetentionPeriod * 1000L));
        foreach (var attribute in wanted)
        {
            string? value = attribute switch
            {
                "VisibilityTimeout" => Text(queue.VisibilityTimeout),
                "MaximumMessageSize" => Text(queue.MaximumMessageSize),
                "MessageRetentionPeriod" => Text(queue.MessageRetentionPeriod),
                "DelaySeconds" => Text(queue.DelaySeconds),
                "ReceiveMessageWaitTimeSeconds" => Text(queue.ReceiveMessageWaitTimeSeconds),
                "ApproximateNumberOfMessages" => Text(counts.Visible),
                "ApproximateNumberOfMessagesNotVisible" => Text(counts.InFlight),
                "ApproximateNumberOfMessagesDelayed" => Text(counts.Delayed),
                "CreatedTimestamp" => Text(queue.CreatedAt / 1000),
                "LastModifiedTimestamp" => Text(queue.ModifiedAt / 1000),
                "QueueArn" => Arn(name),
                "RedrivePolicy" => queue.RedrivePolicy,
                "SqsManagedSseEnabled" => queue.Other.GetValueOrDefault(attribute, "false"),
                _ when QueueAttributes.Readable.Contains(attribute) => queue.Other.GetValueOrDefault(attribute),
                _ => throw SqsException.InvalidAttributeName($"Unknown Attribute {attribute}."),
            };
            if (value is not null)
            {
                result[attribute] = value;
            }
        }

        return result;
    }

    /// <summary>Checks and stores messages in one write; returns their ids in order.</summary>
    public IReadOnlyList<string> Send(string name, IReadOnlyList<OutgoingMessage> messages)
    {
        var queue = Get(name);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var stored = new List<NewMessage>(messages.Count);
        foreach (var message in messages)
        {
            var delay = message.DelaySeconds ?? queue.DelaySeconds;
            if (delay is < 0 or > QueueLimits.MaxDelaySeconds)
            {
                throw SqsException.InvalidParameter($"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= {QueueLimits.MaxDelaySeconds}.");
            }

            stored.Add(new NewMessage(
                Guid.NewGuid().ToString(),
                message.Body,
                message.Attributes is { Count: > 0 } attributes ? JsonSerializer.Serialize(attributes, SqsJson.Default.DictionaryStringMessageAttributeValue) : null,
                MessageDigest.OfBody(message.Body),
                MessageDigest.OfAttributes(message.Attributes),
                AccountId,
                now,
                now + (delay * 1000L)));
        }

        _store.Send(name, stored);
        _signals.Pulse(name);
        return [.. stored.Select(m => m.Id)];
    }

    /// <summary>Checks a message against the queue's limits before it is sent.</summary>
    public static void Check(QueueDefinition queue, OutgoingMessage message) => MessageValidator.Check(message.Body, message.Attributes, queue.MaximumMessageSize);

    /// <summary>
    /// Receives up to <paramref name="max"/> messages, waiting up to <paramref name="wait"/> for the
    /// first: a send (or a message whose delay or visibility timeout ends) wakes the wait, and
    /// <paramref name="cancellationToken"/> ends it with no messages.
    /// </summary>
    public async Task<IReadOnlyList<StoredMessage>> ReceiveAsync(string name, int max, int? visibilityTimeout, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + wait;
        while (true)
        {
            var signal = _signals.Current(name);
            var queue = Get(name);
            var now = _time.GetUtcNow();
            var ms = now.ToUnixTimeMilliseconds();
            var outcome = _store.Receive(
                name,
                max,
                ms,
                ms + ((visibilityTimeout ?? queue.VisibilityTimeout) * 1000L),
                QueueAttributes.Redrive(queue, AccountId),
                ms - (queue.MessageRetentionPeriod * 1000L));
            if (outcome.MovedToDeadLetter > 0 && QueueAttributes.Redrive(queue, AccountId) is { } redrive)
            {
                _signals.Pulse(redrive.Queue);
            }

            if (outcome.Messages.Count > 0 || now >= deadline)
            {
                return outcome.Messages;
            }

            var until = deadline;
            if (_store.NextVisibleAt(name, ms) is { } next && DateTimeOffset.FromUnixTimeMilliseconds(next) < until)
            {
                until = DateTimeOffset.FromUnixTimeMilliseconds(next);
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = Task.Delay(until - now, _time, stop.Token);
            await Task.WhenAny(signal, timer).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                // A stopping server or a gone client ends the wait as a long poll ends: with nothing.
                return [];
            }
        }
    }

    /// <summary>Deletes a received message. A handle of a message already deleted succeeds, as in SQS.</summary>
    public void DeleteMessage(string name, string? receiptHandle)
    {
        Get(name);
        _store.Delete(name, Handle(receiptHandle));
    }

    public void ChangeVisibility(string name, string? receiptHandle, int? timeout)
    {
        var handle = Handle(receiptHandle);
        if (timeout is not { } seconds)
        {
            throw SqsException.Missing("VisibilityTimeout");
        }

        if (seconds is < 0 or > QueueLimits.MaxVisibilityTimeout)
        {
            throw SqsException.InvalidParameter($"Value {seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and {QueueLimits.MaxVisibilityTimeout}.");
        }

        Get(name);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!_store.ChangeVisibility(name, handle, now, now + (seconds * 1000L)))
        {
            throw new SqsException("MessageNotInflight", $"Value {receiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", "AWS.SimpleQueueService.MessageNotInflight");
        }

        if (seconds == 0)
        {
            _signals.Pulse(name);
        }
    }

    public void Purge(string name)
    {
        Get(name);
        _store.Purge(name);
    }

    public bool Exists(string queueArn) => QueueArn.TryParse(queueArn, out var name, AccountId) && QueueExists(name);

    /// <summary>The registry name of the queue an ARN names; false when it is no queue ARN.</summary>
    public bool TryParseArn(string? queueArn, out string name) => QueueArn.TryParse(queueArn, out name, AccountId);

    public ValueTask<string> SendAsync(string queueArn, string body, IReadOnlyDictionary<string, string>? attributes = null, CancellationToken cancellationToken = default)
    {
        if (!QueueArn.TryParse(queueArn, out var name, AccountId))
        {
            throw SqsException.QueueDoesNotExist();
        }

        var message = new OutgoingMessage(body, null, attributes?.ToDictionary(a => a.Key, a => new MessageAttributeValue { DataType = "String", StringValue = a.Value }, StringComparer.Ordinal));
        Check(Get(name), message);
        return ValueTask.FromResult(Send(name, [message])[0]);
    }

    private static ReceiptHandle Handle(string? receiptHandle)
    {
        if (string.IsNullOrEmpty(receiptHandle))
        {
            throw SqsException.Missing("ReceiptHandle");
        }

        return ReceiptHandle.TryParse(receiptHandle, out var handle)
            ? handle
            : throw new SqsException("ReceiptHandleIsInvalid", $"The input receipt handle \"{receiptHandle}\" is not a valid receipt handle.");
    }

    private bool QueueExists(string name) => _store.GetQueue(name) is not null;

    private static bool SameSettings(QueueDefinition a, QueueDefinition b) =>
        a.VisibilityTimeout == b.VisibilityTimeout && a.DelaySeconds == b.DelaySeconds && a.MessageRetentionPeriod == b.MessageRetentionPeriod
        && a.MaximumMessageSize == b.MaximumMessageSize && a.ReceiveMessageWaitTimeSeconds == b.ReceiveMessageWaitTimeSeconds
        && a.RedrivePolicy == b.RedrivePolicy;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string DecodeToken(string token)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw SqsException.InvalidParameter("Invalid NextToken value.");
        }
    }
}

/// <summary>A message to send: body, optional per-message delay, message attributes.</summary>
internal sealed record OutgoingMessage(string Body, int? DelaySeconds, IReadOnlyDictionary<string, MessageAttributeValue>? Attributes);
