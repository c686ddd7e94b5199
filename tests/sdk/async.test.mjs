// Asynchronous invocation through the real AWS SDK for JavaScript v3 against a running Stratus server
// at STRATUS_ENDPOINT: InvocationType Event, the event invoke config commands and DeadLetterConfig,
// as the SDK parses them (LastModified a Date, errors as typed exceptions).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';

const endpoint = process.env.STRATUS_ENDPOINT;
assert.ok(endpoint, 'Set STRATUS_ENDPOINT to a running Stratus server, e.g. http://127.0.0.1:9300');

// A zip holding index.js: `exports.handler = async (event) => event;`
const ECHO_ZIP = Buffer.from('UEsDBBQAAAAAAEITfF0oDJycKgAAACoAAAAIAAAAaW5kZXguanNleHBvcnRzLmhhbmRsZXIgPSBhc3luYyAoZXZlbnQpID0+IGV2ZW50OwpQSwECFAMUAAAAAABCE3xdKAycnCoAAAAqAAAACAAAAAAAAAAAAAAAgAEAAAAAaW5kZXguanNQSwUGAAAAAAEAAQA2AAAAUAAAAAAA', 'base64');
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:sdk-dead-letters';
const client = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY } });
const name = `sdk-async-${randomUUID().slice(0, 13)}`;

after(async () => {
  await client.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => {});
  client.destroy();
});

describe('asynchronous invocation', () => {
  test('DeadLetterConfig, Event invokes and Put/Update/Get/List/DeleteFunctionEventInvokeConfig', async () => {
    const created = await client.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::123456789012:role/lambda-role',
      Code: { ZipFile: ECHO_ZIP }, DeadLetterConfig: { TargetArn: QUEUE },
    }));
    assert.equal(created.DeadLetterConfig.TargetArn, QUEUE);

    const invoked = await client.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: new TextEncoder().encode('{"n":1}') }));
    assert.equal(invoked.StatusCode, 202);

    const put = await client.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: name, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: QUEUE } },
    }));
    assert.ok(put.LastModified instanceof Date && !Number.isNaN(put.LastModified.getTime()), String(put.LastModified));
    assert.equal(put.FunctionArn, `arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST`);
    assert.equal(put.MaximumEventAgeInSeconds, 21600);

    const updated = await client.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 300 }));
    assert.deepEqual([updated.MaximumRetryAttempts, updated.MaximumEventAgeInSeconds, updated.DestinationConfig.OnFailure.Destination], [1, 300, QUEUE]);

    const got = await client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
    assert.equal(got.MaximumEventAgeInSeconds, 300);
    const listed = await client.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name }));
    assert.equal(listed.FunctionEventInvokeConfigs.length, 1);

    await assert.rejects(
      () => client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 5 })),
      (error) => error.name === 'InvalidParameterValueException' && error.$metadata.httpStatusCode === 400);

    const deleted = await client.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await assert.rejects(
      () => client.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name })),
      (error) => error instanceof ResourceNotFoundException);
  });
});
