namespace Stratus.Tests.Infrastructure;

/// <summary>Node functions that consume queue batches and report each batch to a <see cref="RecordingListener"/>.</summary>
public static class QueueFunctions
{
    /// <summary>
    /// Reports <c>{ids, bodies, receiveCounts, started}</c> for every batch, then throws when a body is
    /// <c>poison</c>, and lists the bodies starting with <c>fail</c> as batch item failures.
    /// </summary>
    public static byte[] Reporter() => Zips.Create(("index.js", """
        const http = require('http');
        const report = (data) => new Promise((resolve, reject) => {
          const body = JSON.stringify(data);
          const request = http.request({ host: '127.0.0.1', port: Number(process.env.REPORT_PORT), method: 'POST', path: '/',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
            (response) => { response.resume(); response.on('end', resolve); });
          request.on('error', reject);
          request.end(body);
        });
        exports.handler = async (event) => {
          const started = Date.now();
          const records = event.Records;
          await report({
            started,
            ids: records.map((r) => r.messageId),
            bodies: records.map((r) => r.body),
            receiveCounts: records.map((r) => Number(r.attributes.ApproximateReceiveCount)),
            sentTimestamps: records.map((r) => Number(r.attributes.SentTimestamp)),
            eventSource: records[0].eventSource,
            eventSourceARN: records[0].eventSourceARN,
            messageAttributes: records[0].messageAttributes,
          });
          if (records.some((r) => r.body === 'poison')) throw new Error('poison message');
          return { batchItemFailures: records.filter((r) => r.body.startsWith('fail')).map((r) => ({ itemIdentifier: r.messageId })) };
        };
        """));
}
