// Queue-to-function delivery latency at low load, against a running Stratus at STRATUS_ENDPOINT:
// one message at a time, from the client starting SendMessage to the function's handler starting (the
// handler often starts before SendMessage's reply is back, so that is where the clock starts). The baseline,
// measured in the same run on the same function: a synchronous Invoke, from sending the request to
// the handler starting. Usage: node measure.mjs <function.zip> [messages]
import http from 'node:http';
import { readFileSync } from 'node:fs';

const endpoint = process.env.STRATUS_ENDPOINT;
const zip = readFileSync(process.argv[2]);
const count = Number(process.argv[3] ?? 200);
const warmup = 20;
const now = () => performance.timeOrigin + performance.now();

const waiting = new Map();
const listener = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => { body += chunk; });
  request.on('end', () => {
    const report = JSON.parse(body);
    waiting.get(report.id)?.(report.started);
    waiting.delete(report.id);
    response.writeHead(204).end();
  });
});
await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
const started = (id) => new Promise((resolve) => waiting.set(id, resolve));

async function call(path, body, headers = {}) {
  const response = await fetch(endpoint + path, { method: 'POST', body: JSON.stringify(body), headers });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} ${response.status}: ${text}`);
  return text.length ? JSON.parse(text) : {};
}
const sqs = (operation, body) => call('/', body, { 'X-Amz-Target': `AmazonSQS.${operation}`, 'Content-Type': 'application/x-amz-json-1.0' });

await call('/2015-03-31/functions', {
  FunctionName: 'qbench', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/bench',
  Environment: { Variables: { REPORT_PORT: String(listener.address().port) } }, Code: { ZipFile: zip.toString('base64') },
});
const { QueueUrl } = await sqs('CreateQueue', { QueueName: 'qbench' });
await call('/2015-03-31/event-source-mappings/', { FunctionName: 'qbench', EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:qbench', BatchSize: 1 });

async function viaQueue(i) {
  const id = `q${i}`;
  const handler = started(id);
  const before = now();
  await sqs('SendMessage', { QueueUrl, MessageBody: id });
  return (await handler) - before;
}

async function viaInvoke(i) {
  const id = `i${i}`;
  const handler = started(id);
  const before = now();
  await call('/2015-03-31/functions/qbench/invocations', { id });
  return (await handler) - before;
}

for (let i = 0; i < warmup; i++) { await viaQueue(`w${i}`); await viaInvoke(`w${i}`); }
const queue = [];
const invoke = [];
// Interleaved, so both see the same machine at the same moments.
for (let i = 0; i < count; i++) { queue.push(await viaQueue(i)); invoke.push(await viaInvoke(i)); }

const pct = (values, p) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };
const row = (name, v) => `| ${name} | ${pct(v, 50).toFixed(2)} | ${pct(v, 99).toFixed(2)} |`;
console.log(`\n${count} messages, one at a time (after ${warmup} warm-up rounds); milliseconds to the handler starting\n`);
console.log('| path | p50 ms | p99 ms |');
console.log('|---|---|---|');
console.log(row('SendMessage → queue → mapping → handler', queue));
console.log(row('baseline: synchronous Invoke → handler', invoke));
console.log(`\nqueue delivery p50 = ${pct(queue, 50).toFixed(2)} ms (target < 20 ms); ratio to the Invoke baseline p50: ${(pct(queue, 50) / pct(invoke, 50)).toFixed(2)}x`);
listener.close();
