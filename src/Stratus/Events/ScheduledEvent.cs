using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stratus.Events;

/// <summary>The "Scheduled Event" envelope EventBridge sends a function when a schedule has no fixed input.</summary>
internal static class ScheduledEvent
{
    public static string ScheduleArn(string region, string accountId, string name) => $"arn:aws:scheduler:{region}:{accountId}:schedule/default/{name}";

    public static byte[] Create(string region, string accountId, string name, DateTimeOffset tick)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("version", "0");
            json.WriteString("id", EventId(name, tick));
            json.WriteString("detail-type", "Scheduled Event");
            json.WriteString("source", "aws.events");
            json.WriteString("account", accountId);
            json.WriteString("time", tick.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteString("region", region);
            json.WriteStartArray("resources");
            json.WriteStringValue(ScheduleArn(region, accountId, name));
            json.WriteEndArray();
            json.WriteStartObject("detail");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The same tick always gets the same id, so a tick re-sent after a crash is recognisably the same event.</summary>
    private static string EventId(string name, DateTimeOffset tick)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(DeduplicationKey(name, tick)), hash);
        return new Guid(hash[..16]).ToString();
    }

    /// <summary>The key a tick is handed to the async invocations with: the schedule's name and the tick's instant.</summary>
    public static string DeduplicationKey(string name, DateTimeOffset tick) =>
        "schedule:" + name + "@" + tick.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
