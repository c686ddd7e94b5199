// Sends a few signed requests with the real AWS SDK for JavaScript v3 to STRATUS_ENDPOINT, for the
// server's SigV4 verifier tests (tests/Stratus.Tests, SigV4RealClientTests) to capture and check.
// Not a node:test file: answers are not checked here, only the signed requests matter.
import { createHash, createHmac } from 'node:crypto';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';

const endpoint = process.env.STRATUS_ENDPOINT;
const credentials = { accessKeyId: 'stratus-test-key', secretAccessKey: 'stratus-test-secret' };
const client = new LambdaClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

const settle = (promise) => promise.catch((error) => console.error(error.name));
await settle(client.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:my-fn' })));
await settle(client.send(new InvokeCommand({ FunctionName: 'my-fn', Payload: Buffer.from('{"hello":"sdk"}') })));

// A presigned GET, signed by the SDK's own SignatureV4 (node:crypto supplies the hash it needs).
class Sha256 {
  constructor(secret) { this.hash = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.hash.update(data); }
  async digest() { return new Uint8Array(this.hash.digest()); }
}
const url = new URL(endpoint);
const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials, sha256: Sha256 });
const presigned = await signer.presign({
  method: 'GET', protocol: url.protocol, hostname: url.hostname, port: Number(url.port),
  path: '/2015-03-31/functions/my-fn/configuration', query: {}, headers: { host: url.host },
}, { expiresIn: 300 });
const query = Object.entries(presigned.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
await settle(fetch(`${endpoint}${presigned.path}?${query}`, { headers: { 'x-client': 'presigned' } }));
