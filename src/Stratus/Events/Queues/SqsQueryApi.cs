using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Stratus.Events.Queues;

/// <summary>
/// SQS's older query protocol (form-encoded <c>Action=…</c>, XML replies), which the AWS CLI v2 of
/// Debian 12 and other clients from before the JSON protocol still send. The form is read into the JSON
/// request the operations take, and their JSON reply is written back as SQS's XML.
/// </summary>
internal static class SqsQueryApi
{
    private const string Namespace = "http://queue.amazonaws.com/doc/2012-11-05/";

    private static readonly HashSet<string> Numbers = new(StringComparer.Ordinal)
    {
        "DelaySeconds", "MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds", "MaxResults",
    };

    private static readonly HashSet<string> Scalars = new(StringComparer.Ordinal)
    {
        "QueueName", "QueueUrl", "MessageBody", "ReceiptHandle", "QueueNamePrefix", "NextToken", "Id",
        "ReceiveRequestAttemptId", "QueueOwnerAWSAccountId", "MessageDeduplicationId", "MessageGroupId",
    };

    private static readonly (string Form, string Json)[] Lists =
    [
        ("AttributeName", "AttributeNames"), ("MessageSystemAttributeName", "MessageSystemAttributeNames"), ("MessageAttributeName", "MessageAttributeNames"),
    ];

    private static readonly string[] EntryKinds =
    [
        "SendMessageBatchRequestEntry", "DeleteMessageBatchRequestEntry", "ChangeMessageVisibilityBatchRequestEntry",
    ];

    public static async Task HandleAsync(HttpContext context, SqsOperations operations, byte[] body, string requestId, CancellationToken cancellationToken)
    {
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        var action = form.TryGetValue("Action", out var a) ? a.ToString() : "";
        try
        {
            var request = Read(form, "");
            var (response, type) = await operations.RunAsync(action, JsonSerializer.SerializeToUtf8Bytes(request), cancellationToken);
            var reply = JsonSerializer.SerializeToNode(response, type)!.AsObject();
            await WriteAsync(context, 200, writer =>
            {
                writer.WriteStartElement(action + "Response", Namespace);
                if (reply.Count > 0)
                {
                    writer.WriteStartElement(action + "Result");
                    WriteMembers(writer, reply, action);
                    writer.WriteEndElement();
                }

                writer.WriteStartElement("ResponseMetadata");
                writer.WriteElementString("RequestId", requestId);
                writer.WriteEndElement();
                writer.WriteEndElement();
            });
        }
        catch (SqsException error) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, error, requestId);
        }
    }

    /// <summary>SQS's XML ErrorResponse.</summary>
    public static Task WriteErrorAsync(HttpContext context, SqsException error, string requestId) =>
        WriteAsync(context, error.StatusCode, writer =>
        {
            writer.WriteStartElement("ErrorResponse", Namespace);
            writer.WriteStartElement("Error");
            writer.WriteElementString("Type", error.StatusCode >= 500 ? "Receiver" : "Sender");
            writer.WriteElementString("Code", error.QueryCode);
            writer.WriteElementString("Message", error.Message);
            writer.WriteEndElement();
            writer.WriteElementString("RequestId", requestId);
            writer.WriteEndElement();
        });

    /// <summary>Reads the members under <paramref name="prefix"/> (<c>""</c>, or <c>…Entry.3.</c>) into JSON.</summary>
    private static JsonObject Read(Dictionary<string, StringValues> form, string prefix)
    {
        var request = new JsonObject();
        foreach (var (key, value) in form)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = key[prefix.Length..];
            if (Scalars.Contains(name))
            {
                request[name] = value.ToString();
            }
            else if (Numbers.Contains(name))
            {
                request[name] = int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : throw SqsException.InvalidParameter($"Value {value} for parameter {name} is invalid. Reason: it must be a whole number.");
            }
        }

        foreach (var (formName, jsonName) in Lists)
        {
            var items = Indexed(form, prefix + formName).Select(i => (JsonNode?)JsonValue.Create(form[prefix + formName + "." + i].ToString())).ToArray();
            if (items.Length > 0)
            {
                request[jsonName] = new JsonArray(items);
            }
        }

        var attributes = new JsonObject();
        foreach (var i in Indexed(form, prefix + "Attribute", ".Name"))
        {
            var at = $"{prefix}Attribute.{i}.";
            attributes[form[at + "Name"].ToString()] = form.TryGetValue(at + "Value", out var value) ? value.ToString() : "";
        }

        if (attributes.Count > 0)
        {
            request["Attributes"] = attributes;
        }

        var messageAttributes = new JsonObject();
        foreach (var i in Indexed(form, prefix + "MessageAttribute", ".Name"))
        {
            var at = $"{prefix}MessageAttribute.{i}.";
            var value = new JsonObject();
            foreach (var field in (string[])["StringValue", "BinaryValue", "DataType"])
            {
                if (form.TryGetValue(at + "Value." + field, out var text))
                {
                    value[field] = text.ToString();
                }
            }

            messageAttributes[form[at + "Name"].ToString()] = value;
        }

        if (messageAttributes.Count > 0)
        {
            request["MessageAttributes"] = messageAttributes;
        }

        foreach (var kind in EntryKinds)
        {
            var entries = Indexed(form, prefix + kind, ".Id").Select(i => (JsonNode?)Read(form, $"{prefix}{kind}.{i}.")).ToArray();
            if (entries.Length > 0)
            {
                request["Entries"] = new JsonArray(entries);
            }
        }

        return request;
    }

    /// <summary>The indexes N of <c>{name}.N{suffix}</c> keys, in order.</summary>
    private static IEnumerable<int> Indexed(Dictionary<string, StringValues> form, string name, string suffix = "")
    {
        var start = name + ".";
        return form.Keys
            .Where(k => k.StartsWith(start, StringComparison.Ordinal) && k.EndsWith(suffix, StringComparison.Ordinal))
            .Select(k => k[start.Length..^suffix.Length])
            .Where(n => n.Length > 0 && n.All(char.IsAsciiDigit))
            .Select(n => int.Parse(n, CultureInfo.InvariantCulture))
            .Distinct()
            .Order();
    }

    private static void WriteMembers(XmlWriter writer, JsonObject members, string action)
    {
        foreach (var (name, value) in members)
        {
            switch (name, value)
            {
                case (_, null):
                    break;
                case ("Attributes", JsonObject map):
                    foreach (var (key, item) in map)
                    {
                        writer.WriteStartElement("Attribute");
                        writer.WriteElementString("Name", key);
                        writer.WriteElementString("Value", item?.ToString());
                        writer.WriteEndElement();
                    }

                    break;
                case ("MessageAttributes", JsonObject map):
                    foreach (var (key, item) in map)
                    {
                        writer.WriteStartElement("MessageAttribute");
                        writer.WriteElementString("Name", key);
                        writer.WriteStartElement("Value");
                        WriteMembers(writer, item!.AsObject(), action);
                        writer.WriteEndElement();
                        writer.WriteEndElement();
                    }

                    break;
                case (_, JsonArray items):
                    var element = name switch
                    {
                        "QueueUrls" => "QueueUrl",
                        "Messages" => "Message",
                        "Successful" => action + "ResultEntry",
                        "Failed" => "BatchResultErrorEntry",
                        _ => name,
                    };
                    foreach (var item in items)
                    {
                        writer.WriteStartElement(element);
                        if (item is JsonObject inner)
                        {
                            WriteMembers(writer, inner, action);
                        }
                        else
                        {
                            writer.WriteString(item?.ToString());
                        }

                        writer.WriteEndElement();
                    }

                    break;
                case (_, JsonObject inner):
                    writer.WriteStartElement(name);
                    WriteMembers(writer, inner, action);
                    writer.WriteEndElement();
                    break;
                default:
                    writer.WriteElementString(name, value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.ToJsonString() : value.ToString());
                    break;
            }
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Async = false }))
        {
            write(writer);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.ToArray());
    }
}
