// Signs requests with the console's own SigV4 module (console/sigv4.js) under node, which has the
// same WebCrypto as a browser, and sends them to STRATUS_ENDPOINT, where the server's verifier
// judges each one. Prints one JSON line per request: its name and the verdict the endpoint returned.
import { encodePath, presignUrl, signRequest } from '../../console/sigv4.js';

const endpoint = process.env.STRATUS_ENDPOINT;
const credentials = { accessKeyId: 'console-test-key', secretAccessKey: 'console-test-secret' };
const wrong = { accessKeyId: 'console-test-key', secretAccessKey: 'not-the-secret' };
const region = 'us-east-1';

async function send(name, { method = 'GET', path, query = '', body, headers = {}, service = 'lambda', key = credentials, sentBody }) {
  const url = `${endpoint}${path}${query}`;
  const signed = await signRequest({ method, url, headers, body, credentials: key, region, service });
  const response = await fetch(url, { method, headers: signed, body: sentBody ?? body });
  console.log(JSON.stringify({ name, verdict: await response.json() }));
}

const arn = 'arn:aws:lambda:us-east-1:000000000000:function:my-fn';
await send('list functions', { path: encodePath(['2015-03-31', 'functions', '']) });
await send('invoke', {
  method: 'POST', path: encodePath(['2015-03-31', 'functions', 'my-fn', 'invocations']), body: '{"hello":"console ü"}',
  headers: { 'content-type': 'application/json', 'x-amz-log-type': 'Tail' },
});
await send('arn in path', { path: encodePath(['2015-03-31', 'functions', arn, 'configuration']) });
await send('query with spaces and plus', { path: encodePath(['stratus', 'v1', 'functions', 'my-fn', 'logs']), query: '?limit=5&filter=a%20b%2Bc&requestId=x' });
await send('sqs', {
  method: 'POST', path: '/', body: '{}', service: 'sqs',
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
});
await send('wrong secret', { path: encodePath(['2015-03-31', 'functions', '']), key: wrong });
await send('tampered body', {
  method: 'POST', path: encodePath(['2015-03-31', 'functions', 'my-fn', 'invocations']), body: '{"n":1}', sentBody: '{"n":2}',
  headers: { 'content-type': 'application/json' },
});

const stream = await presignUrl({ url: `${endpoint}${encodePath(['stratus', 'v1', 'functions', 'my-fn', 'logs', 'stream'])}`, credentials, region, service: 'lambda' });
console.log(JSON.stringify({ name: 'presigned stream', verdict: await (await fetch(stream)).json() }));
const tampered = stream.replace('/my-fn/', '/your-fn/');
console.log(JSON.stringify({ name: 'presigned tampered', verdict: await (await fetch(tampered)).json() }));
