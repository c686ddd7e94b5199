// Function URLs through the real AWS SDK for JavaScript v3 (Create/Get/Update/List/Delete
// FunctionUrlConfig), then the URL it returned through fetch. Run with the rest of tests/sdk/.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
  ListFunctionUrlConfigsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';

const endpoint = process.env.STRATUS_ENDPOINT;
assert.ok(endpoint, 'Set STRATUS_ENDPOINT to a running Stratus server, e.g. http://127.0.0.1:9300');
const client = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY } });
const FunctionName = `url-${randomUUID().slice(0, 8)}`;

after(async () => {
  await client.send(new DeleteFunctionCommand({ FunctionName })).catch(() => {});
  client.destroy();
});

/** The zip of one index.js, made by the zip tool the test suite installs. */
function zipOf(source) {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-url-'));
  try {
    writeFileSync(join(dir, 'index.js'), source);
    execFileSync('zip', ['-q', 'code.zip', 'index.js'], { cwd: dir });
    return readFileSync(join(dir, 'code.zip'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('function URL: create, get, update, list, delete, and the URL answers fetch', async () => {
  await client.send(new CreateFunctionCommand({
    FunctionName, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/r',
    Code: { ZipFile: zipOf("exports.handler = async (e) => ({ statusCode: 200, cookies: ['a=1', 'b=2'], body: e.rawPath + ' ' + e.body });") },
  }));

  const created = await client.send(new CreateFunctionUrlConfigCommand({
    FunctionName, AuthType: 'NONE', InvokeMode: 'BUFFERED', Cors: { AllowOrigins: ['*'], MaxAge: 30 },
  }));
  assert.equal(created.$metadata.httpStatusCode, 201);
  assert.match(created.FunctionUrl, /^http:\/\/127\.0\.0\.1:\d+\/lambda-url\/[a-z0-9]{32}\/$/);
  assert.equal(created.InvokeMode, 'BUFFERED');
  assert.deepEqual(created.Cors, { AllowOrigins: ['*'], MaxAge: 30 });

  const response = await fetch(created.FunctionUrl + 'hi', { method: 'POST', body: 'there', headers: { 'content-type': 'text/plain', origin: 'https://app.example' } });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), '/hi there');
  assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.equal(response.headers.get('access-control-allow-origin'), '*');

  await assert.rejects(client.send(new CreateFunctionUrlConfigCommand({ FunctionName, AuthType: 'NONE' })), ResourceConflictException);
  await assert.rejects(client.send(new UpdateFunctionUrlConfigCommand({ FunctionName, InvokeMode: 'RESPONSE_STREAM' })), /RESPONSE_STREAM/);

  const updated = await client.send(new UpdateFunctionUrlConfigCommand({ FunctionName, AuthType: 'AWS_IAM' }));
  assert.equal(updated.FunctionUrl, created.FunctionUrl);
  assert.equal(updated.AuthType, 'AWS_IAM');
  assert.equal((await fetch(created.FunctionUrl)).status, 403);

  const fetched = await client.send(new GetFunctionUrlConfigCommand({ FunctionName }));
  assert.equal(fetched.AuthType, 'AWS_IAM');
  assert.ok(fetched.LastModifiedTime >= fetched.CreationTime);
  const listed = await client.send(new ListFunctionUrlConfigsCommand({ FunctionName, MaxItems: 10 }));
  assert.deepEqual(listed.FunctionUrlConfigs.map((c) => c.FunctionUrl), [created.FunctionUrl]);

  await client.send(new DeleteFunctionUrlConfigCommand({ FunctionName }));
  await assert.rejects(client.send(new GetFunctionUrlConfigCommand({ FunctionName })), ResourceNotFoundException);
});
