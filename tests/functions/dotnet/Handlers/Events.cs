using Stratus.Runtime;
using Stratus.Runtime.Events;

namespace Handlers;

/// <summary>Stratus's events through the source-generated serializer.</summary>
public static class Events
{
    [LambdaSerializer(typeof(SourceGeneratorLambdaJsonSerializer<StratusEventsJsonContext>))]
    public static SqsBatchResponse Queue(SqsEvent batch) => new()
    {
        BatchItemFailures = batch.Records.Where(record => record.Body == "fail").Select(record => new SqsBatchItemFailure { ItemIdentifier = record.MessageId }).ToList(),
    };

    [LambdaSerializer(typeof(SourceGeneratorLambdaJsonSerializer<StratusEventsJsonContext>))]
    public static HttpApiResponse Http(HttpApiRequest request) => new()
    {
        StatusCode = 201,
        Headers = new() { ["content-type"] = "text/plain" },
        Body = $"{request.RequestContext?.Http?.Method} {request.RawPath} {request.QueryStringParameters?["x"]}",
    };

    [LambdaSerializer(typeof(SourceGeneratorLambdaJsonSerializer<StratusEventsJsonContext>))]
    public static string Scheduled(ScheduledEvent tick) => $"{tick.DetailType} from {tick.Source} at {tick.Time:O} for {tick.Resources?[0]}";

    [LambdaSerializer(typeof(SourceGeneratorLambdaJsonSerializer<StratusEventsJsonContext>))]
    public static string Destination(DestinationRecord record) => $"{record.RequestContext?.Condition} {record.ResponseContext?.FunctionError} {record.ResponsePayload}";
}
