// End-to-end tests: the real AWS SDK for JavaScript v3 (@aws-sdk/client-lambda) against a running
// Stratus server at STRATUS_ENDPOINT. Each test uses its own function names, so the suite can run
// against a server that already holds other functions. Run through tests/Stratus.Tests
// (JavaScriptSdkTests), or by hand: STRATUS_ENDPOINT=http://127.0.0.1:9300 node --test tests/sdk/
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  LambdaServiceException,
  ListFunctionsCommand,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';

const endpoint = process.env.STRATUS_ENDPOINT;
assert.ok(endpoint, 'Set STRATUS_ENDPOINT to a running Stratus server, e.g. http://127.0.0.1:9300');

const ACCOUNT = '000000000000';
const ROLE = 'arn:aws:iam::123456789012:role/lambda-role';
const LAST_MODIFIED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;
const WAIT = { maxWaitTime: 30 };

const client = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY } });
const created = new Set();

after(async () => {
  // Leave a shared server as we found it; a function a test already deleted is fine.
  await Promise.all([...created].map((FunctionName) =>
    client.send(new DeleteFunctionCommand({ FunctionName })).catch((error) => {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    })));
  client.destroy();
});

// ---- helpers -------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => ~bytes.reduce((c, b) => CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8), ~0) >>> 0;

/** A store-only zip of { path: text } (no compression: Lambda accepts any valid zip). */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [path, content] of Object.entries(files)) {
    const name = Buffer.from(path);
    const data = Buffer.from(content);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header
    local.writeUInt16LE(10, 4); // version needed
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below counts
    central.writeUInt16LE(10, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100755 << 16) >>> 0, 38); // -rwxr-xr-x
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory
  end.writeUInt16LE(locals.length / 3, 8);
  end.writeUInt16LE(locals.length / 3, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

/** A Node.js function that logs, echoes, reads GREETING and throws on request. */
function nodeProbe(version) {
  return zip({
    'index.js': `
exports.handler = async (event) => {
  console.log('probe handling', JSON.stringify(event));
  if (event.fail) throw new Error('boom: ' + event.fail);
  return { runtime: 'node', version: '${version}', greeting: process.env.GREETING ?? null, echo: event };
};
`,
  });
}

const pythonEcho = () => zip({
  'app.py': `
def handler(event, context):
    print("python handling", event)
    if event.get("fail"):
        raise ValueError("bad value: " + event["fail"])
    return {"runtime": "python", "echo": event, "function": context.function_name}
`,
});

// provided.al2023: the zip's executable `bootstrap` speaks the Runtime API (here with Python's standard library).
const customRuntime = () => zip({
  bootstrap: `#!/usr/bin/python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as reply:
        request_id = reply.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.load(reply)
    body = json.dumps({"runtime": "provided", "echo": event}).encode()
    urllib.request.urlopen(urllib.request.Request(api + request_id + "/response", data=body)).close()
`,
});

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('base64');
const newName = (prefix) => `sdk-${prefix}-${randomUUID().slice(0, 13)}`;
const arn = (name) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const json = (value) => new TextEncoder().encode(JSON.stringify(value));
const text = (bytes) => new TextDecoder().decode(bytes);

async function createFunction(name, { runtime = 'nodejs20.x', handler = 'index.handler', code = nodeProbe('v1'), ...rest } = {}) {
  const output = await client.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: runtime, Handler: handler, Role: ROLE, Code: { ZipFile: code }, ...rest,
  }));
  created.add(name);
  return output;
}

async function invoke(FunctionName, event, extra = {}) {
  const output = await client.send(new InvokeCommand({ FunctionName, Payload: json(event), ...extra }));
  assert.ok(output.Payload instanceof Uint8Array, 'Invoke returns Payload as a Uint8Array');
  return { output, payload: output.Payload.length ? JSON.parse(text(output.Payload)) : undefined };
}

/** Runs fn, which must throw the SDK's service exception `name` with HTTP `status`; returns it. */
async function rejectsWith(fn, name, status) {
  let caught;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught, `expected ${name}, but the call succeeded`);
  assert.ok(caught instanceof LambdaServiceException, `expected a LambdaServiceException, got ${caught?.stack ?? caught}`);
  assert.equal(caught.name, name, `error name (message: ${caught.message})`);
  assert.equal(caught.$metadata.httpStatusCode, status);
  assert.equal(caught.$fault, status >= 500 ? 'server' : 'client');
  assert.ok(caught.message.length > 0, 'the error carries the server message');
  return caught;
}

function assertLastModified(value) {
  assert.equal(typeof value, 'string');
  assert.match(value, LAST_MODIFIED);
  const age = Date.now() - Date.parse(value.replace(/\+0000$/, 'Z'));
  assert.ok(age > -60_000 && age < 10 * 60_000, `LastModified ${value} is not recent`);
}

// ---- tests ---------------------------------------------------------------------------------

describe('CreateFunction and GetFunction', () => {
  for (const [runtime, handler, code, answer] of [
    ['nodejs20.x', 'index.handler', nodeProbe('v1'), 'node'],
    ['python3.12', 'app.handler', pythonEcho(), 'python'],
    ['provided.al2023', 'unused.handler', customRuntime(), 'provided'],
  ]) {
    test(`${runtime}: created Active with a Lambda-shaped configuration, and runs`, async () => {
      const name = newName(runtime.replace(/\W/g, ''));
      const output = await createFunction(name, { runtime, handler, code, MemorySize: 256, Timeout: 5 });
      assert.equal(output.$metadata.httpStatusCode, 201);
      assert.equal(output.FunctionName, name);
      assert.equal(output.FunctionArn, arn(name));
      assert.equal(output.Runtime, runtime);
      assert.equal(output.Handler, handler);
      assert.equal(output.Role, ROLE);
      assert.equal(output.CodeSha256, sha256(code));
      assert.equal(output.CodeSize, code.length);
      assert.equal(output.MemorySize, 256);
      assert.equal(output.Timeout, 5);
      assert.equal(output.Version, '$LATEST');
      assertLastModified(output.LastModified);

      const waited = await waitUntilFunctionActiveV2({ client, ...WAIT }, { FunctionName: name });
      assert.equal(waited.state, 'SUCCESS');

      const { Configuration: configuration, Code: location } = await client.send(new GetFunctionCommand({ FunctionName: name }));
      assert.equal(configuration.State, 'Active');
      assert.equal(configuration.LastUpdateStatus, 'Successful');
      assert.equal(configuration.PackageType, 'Zip');
      assert.equal(configuration.CodeSha256, sha256(code));
      assert.equal(configuration.CodeSize, code.length);
      assert.equal(configuration.RevisionId, output.RevisionId);
      assert.ok(configuration.RevisionId.length > 0);
      assert.equal(configuration.LastModified, output.LastModified);
      assertLastModified(configuration.LastModified);
      assert.equal(configuration.FunctionArn, arn(name));
      assert.equal(typeof location.Location, 'string');

      const direct = await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      assert.equal(direct.RevisionId, output.RevisionId);
      assert.equal(direct.State, 'Active');

      const { output: response, payload } = await invoke(name, { hello: 'world' });
      assert.equal(response.StatusCode, 200);
      assert.equal(response.FunctionError, undefined);
      assert.equal(payload.runtime, answer);
      assert.deepEqual(payload.echo, { hello: 'world' });
    });
  }
});

describe('ListFunctions', () => {
  test('MaxItems and Marker page through every function once; paginateListFunctions agrees', async () => {
    const prefix = newName('list');
    const names = ['a', 'b', 'c', 'd', 'e'].map((suffix) => `${prefix}-${suffix}`);
    await Promise.all(names.map((name) => createFunction(name)));

    const first = await client.send(new ListFunctionsCommand({ MaxItems: 2 }));
    assert.equal(first.Functions.length, 2);
    assert.equal(typeof first.NextMarker, 'string', 'a full page with more to come must carry NextMarker');
    const second = await client.send(new ListFunctionsCommand({ MaxItems: 2, Marker: first.NextMarker }));
    assert.equal(second.Functions.length, 2);
    const firstNames = first.Functions.map((f) => f.FunctionName);
    for (const f of second.Functions) assert.ok(!firstNames.includes(f.FunctionName), `${f.FunctionName} is on two pages`);

    // Walk the rest by hand.
    const walked = [...firstNames, ...second.Functions.map((f) => f.FunctionName)];
    for (let marker = second.NextMarker, pages = 0; marker !== undefined; pages++) {
      assert.ok(pages < 1000, 'ListFunctions never ends');
      const page = await client.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
      assert.ok(page.Functions.length >= 1 && page.Functions.length <= 2, `page of ${page.Functions.length}`);
      walked.push(...page.Functions.map((f) => f.FunctionName));
      marker = page.NextMarker;
    }
    assert.equal(new Set(walked).size, walked.length, 'a function was listed twice');
    assert.deepEqual(walked.filter((n) => n.startsWith(prefix)).sort(), names);

    const paginated = [];
    let pageCount = 0;
    for await (const page of paginateListFunctions({ client, pageSize: 2 }, {})) {
      pageCount++;
      assert.ok(page.Functions.length <= 2);
      for (const f of page.Functions) {
        paginated.push(f.FunctionName);
        if (f.FunctionName.startsWith(prefix)) {
          assert.equal(f.Runtime, 'nodejs20.x');
          assert.equal(f.State, 'Active');
        }
      }
    }
    assert.ok(pageCount >= 3, `5 functions in pages of 2 need at least 3 pages, got ${pageCount}`);
    assert.deepEqual(paginated.filter((n) => n.startsWith(prefix)).sort(), names);
    assert.equal(new Set(paginated).size, paginated.length, 'the paginator listed a function twice');

    const all = await client.send(new ListFunctionsCommand({}));
    assert.deepEqual(all.Functions.map((f) => f.FunctionName).filter((n) => n.startsWith(prefix)).sort(), names);
  });

  test('a bad MaxItems or Marker is InvalidParameterValueException', async () => {
    await rejectsWith(() => client.send(new ListFunctionsCommand({ MaxItems: 10001 })), 'InvalidParameterValueException', 400);
    await rejectsWith(() => client.send(new ListFunctionsCommand({ Marker: '%%%not-a-marker' })), 'InvalidParameterValueException', 400);
  });
});

describe('updates', () => {
  test('UpdateFunctionConfiguration and UpdateFunctionCode: waiters succeed and the next Invoke sees the change', async () => {
    const name = newName('update');
    const original = await createFunction(name);
    assert.equal((await invoke(name, {})).payload.version, 'v1');
    assert.equal((await invoke(name, {})).payload.greeting, null);

    const configured = await client.send(new UpdateFunctionConfigurationCommand({
      FunctionName: name, MemorySize: 512, Timeout: 10, Environment: { Variables: { GREETING: 'hello-from-config' } },
    }));
    assert.equal(configured.$metadata.httpStatusCode, 200);
    assert.notEqual(configured.RevisionId, original.RevisionId);
    assert.equal(configured.MemorySize, 512);
    assert.equal((await waitUntilFunctionUpdatedV2({ client, ...WAIT }, { FunctionName: name })).state, 'SUCCESS');

    const afterConfig = await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    assert.equal(afterConfig.MemorySize, 512);
    assert.equal(afterConfig.Timeout, 10);
    assert.deepEqual(afterConfig.Environment.Variables, { GREETING: 'hello-from-config' });
    assert.equal(afterConfig.LastUpdateStatus, 'Successful');
    assert.equal(afterConfig.RevisionId, configured.RevisionId);
    assert.equal(afterConfig.CodeSha256, original.CodeSha256, 'a configuration change keeps the code');
    const seenConfig = (await invoke(name, {})).payload;
    assert.equal(seenConfig.greeting, 'hello-from-config');
    assert.equal(seenConfig.version, 'v1');

    const code = nodeProbe('v2');
    const recoded = await client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: code }));
    assert.equal(recoded.CodeSha256, sha256(code));
    assert.notEqual(recoded.CodeSha256, original.CodeSha256);
    assert.equal(recoded.CodeSize, code.length);
    assert.notEqual(recoded.RevisionId, configured.RevisionId);
    assert.equal((await waitUntilFunctionUpdatedV2({ client, ...WAIT }, { FunctionName: name })).state, 'SUCCESS');

    const seenCode = (await invoke(name, {})).payload;
    assert.equal(seenCode.version, 'v2');
    assert.equal(seenCode.greeting, 'hello-from-config', 'a code change keeps the configuration');
    const { Configuration } = await client.send(new GetFunctionCommand({ FunctionName: name }));
    assert.equal(Configuration.CodeSha256, sha256(code));
    assert.equal(Configuration.RevisionId, recoded.RevisionId);
  });

  test('an update with a stale RevisionId is PreconditionFailedException', async () => {
    const name = newName('revision');
    const original = await createFunction(name);
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 7, RevisionId: original.RevisionId }));
    await rejectsWith(
      () => client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 8, RevisionId: original.RevisionId })),
      'PreconditionFailedException', 412);
    assert.equal((await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).Timeout, 7);
  });
});

describe('Invoke', () => {
  test('RequestResponse with LogType Tail returns the payload, the executed version and the log tail', async () => {
    const name = newName('invoke');
    await createFunction(name);
    const { output, payload } = await invoke(name, { who: 'sdk-user' }, { LogType: 'Tail' });
    assert.equal(output.StatusCode, 200);
    assert.equal(output.ExecutedVersion, '$LATEST');
    assert.equal(output.FunctionError, undefined);
    assert.deepEqual(payload.echo, { who: 'sdk-user' });

    const log = Buffer.from(output.LogResult, 'base64').toString('utf8');
    const start = /START RequestId: ([0-9a-f-]{36}) Version: \$LATEST/.exec(log);
    assert.ok(start, `LogResult has no START line:\n${log}`);
    const requestId = start[1];
    assert.equal(output.$metadata.requestId, requestId, 'x-amzn-RequestId is the invocation request id');
    assert.ok(log.includes(`END RequestId: ${requestId}`), `no END line:\n${log}`);
    assert.match(log, new RegExp(`REPORT RequestId: ${requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB`));
    assert.ok(log.includes('probe handling {"who":"sdk-user"}'), `console.log output missing:\n${log}`);
    assert.ok(log.indexOf('START') < log.indexOf('probe handling') && log.indexOf('probe handling') < log.indexOf('END RequestId'));

    const quiet = await invoke(name, { who: 'again' });
    assert.equal(quiet.output.LogResult, undefined, 'no LogResult without LogType Tail');
  });

  test('InvocationType Event is accepted with 202 and DryRun answers 204, both without a payload', async () => {
    const name = newName('types');
    await createFunction(name);
    const queued = await client.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: json({ async: true }) }));
    assert.equal(queued.StatusCode, 202);
    assert.equal(queued.$metadata.httpStatusCode, 202);
    assert.equal(queued.FunctionError, undefined);
    assert.equal(queued.Payload?.length ?? 0, 0);

    const dryRun = await client.send(new InvokeCommand({ FunctionName: name, InvocationType: 'DryRun', Payload: json({}) }));
    assert.equal(dryRun.StatusCode, 204);
    assert.equal(dryRun.$metadata.httpStatusCode, 204);
    assert.equal(dryRun.Payload?.length ?? 0, 0);

    // The function keeps answering synchronously after the queued event.
    assert.deepEqual((await invoke(name, { after: 'event' })).payload.echo, { after: 'event' });
  });

  test('a throwing Node.js handler gives FunctionError Unhandled with errorType, errorMessage and trace', async () => {
    const name = newName('throws');
    await createFunction(name);
    const { output, payload } = await invoke(name, { fail: 'on purpose' }, { LogType: 'Tail' });
    assert.equal(output.StatusCode, 200);
    assert.equal(output.FunctionError, 'Unhandled');
    assert.equal(output.ExecutedVersion, '$LATEST');
    assert.equal(payload.errorType, 'Error');
    assert.equal(payload.errorMessage, 'boom: on purpose');
    assert.ok(Array.isArray(payload.trace) && payload.trace.length > 0, `trace: ${JSON.stringify(payload.trace)}`);
    assert.match(payload.trace[0], /Error: boom: on purpose/);
    const log = Buffer.from(output.LogResult, 'base64').toString('utf8');
    assert.ok(log.includes('boom: on purpose'), `the error is not in the log:\n${log}`);
    assert.ok(log.includes('REPORT RequestId: '), log);

    // The same function answers the next call.
    const recovered = await invoke(name, { fine: true });
    assert.equal(recovered.output.FunctionError, undefined);
    assert.deepEqual(recovered.payload.echo, { fine: true });
  });

  test('a raising Python handler gives FunctionError Unhandled with errorType, errorMessage and stackTrace', async () => {
    const name = newName('pyraise');
    await createFunction(name, { runtime: 'python3.12', handler: 'app.handler', code: pythonEcho() });
    const { output, payload } = await invoke(name, { fail: 'x' });
    assert.equal(output.FunctionError, 'Unhandled');
    assert.equal(payload.errorType, 'ValueError');
    assert.equal(payload.errorMessage, 'bad value: x');
    assert.ok(Array.isArray(payload.stackTrace), JSON.stringify(payload));
    assert.equal((await invoke(name, {})).payload.function, name);
  });

  test('a function named by full ARN, partial ARN, ":$LATEST" or Qualifier runs $LATEST', async () => {
    const name = newName('arn');
    await createFunction(name);
    for (const [FunctionName, extra] of [
      [arn(name), {}],
      [`${ACCOUNT}:function:${name}`, {}],
      [`${name}:$LATEST`, {}],
      [`${arn(name)}:$LATEST`, {}],
      [name, { Qualifier: '$LATEST' }],
    ]) {
      const { output, payload } = await invoke(FunctionName, { via: FunctionName }, extra);
      assert.equal(output.StatusCode, 200, FunctionName);
      assert.equal(output.ExecutedVersion, '$LATEST', FunctionName);
      assert.deepEqual(payload.echo, { via: FunctionName });
    }
    const byArn = await client.send(new GetFunctionCommand({ FunctionName: arn(name) }));
    assert.equal(byArn.Configuration.FunctionName, name);
    await rejectsWith(() => invoke(name, {}, { Qualifier: '7' }), 'ResourceNotFoundException', 404);
  });
});

describe('errors the SDK throws', () => {
  test('unknown functions are ResourceNotFoundException (404)', async () => {
    const missing = newName('missing');
    const error = await rejectsWith(() => client.send(new GetFunctionCommand({ FunctionName: missing })), 'ResourceNotFoundException', 404);
    assert.ok(error instanceof ResourceNotFoundException);
    assert.ok(error.message.includes(missing), error.message);
    await rejectsWith(() => invoke(missing, {}), 'ResourceNotFoundException', 404);
    await rejectsWith(() => client.send(new UpdateFunctionCodeCommand({ FunctionName: missing, ZipFile: nodeProbe('x') })), 'ResourceNotFoundException', 404);
    await rejectsWith(() => client.send(new DeleteFunctionCommand({ FunctionName: missing })), 'ResourceNotFoundException', 404);
  });

  test('creating an existing function is ResourceConflictException (409)', async () => {
    const name = newName('dup');
    await createFunction(name);
    await rejectsWith(() => createFunction(name), 'ResourceConflictException', 409);
  });

  test('bad parameters are InvalidParameterValueException (400), bad payloads InvalidRequestContentException', async () => {
    await rejectsWith(() => createFunction(newName('java'), { runtime: 'java21', handler: 'example.Handler::handleRequest' }), 'InvalidParameterValueException', 400);
    await rejectsWith(() => createFunction(newName('big'), { MemorySize: 10241 }), 'InvalidParameterValueException', 400);
    await rejectsWith(() => createFunction(newName('slow'), { Timeout: 901 }), 'InvalidParameterValueException', 400);
    const name = newName('params');
    await createFunction(name);
    await rejectsWith(() => client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, MemorySize: 64 })), 'InvalidParameterValueException', 400);
    await rejectsWith(
      () => client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode('{not json') })),
      'InvalidRequestContentException', 400);
    assert.equal((await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).MemorySize, 128);
  });

  test('DeleteFunction, then GetFunction and Invoke are ResourceNotFoundException', async () => {
    const name = newName('delete');
    await createFunction(name);
    await invoke(name, {});
    const deleted = await client.send(new DeleteFunctionCommand({ FunctionName: name }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await rejectsWith(() => client.send(new GetFunctionCommand({ FunctionName: name })), 'ResourceNotFoundException', 404);
    await rejectsWith(() => invoke(name, {}), 'ResourceNotFoundException', 404);
    const { Functions } = await client.send(new ListFunctionsCommand({ MaxItems: 10000 }));
    assert.ok(!Functions.some((f) => f.FunctionName === name), 'a deleted function is still listed');
  });
});
