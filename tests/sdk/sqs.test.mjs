// End-to-end tests: the real @aws-sdk/client-sqs (AWS JSON 1.0 protocol) against a running Stratus
// server at STRATUS_ENDPOINT. The SDK checks the MD5 digests of every message it sends and receives.
// Run through tests/Stratus.Tests (JavaScriptSdkTests), or by hand:
// STRATUS_ENDPOINT=http://127.0.0.1:9300 node --test tests/sdk/sqs.test.mjs
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';

const endpoint = process.env.STRATUS_ENDPOINT;
assert.ok(endpoint, 'Set STRATUS_ENDPOINT to a running Stratus server, e.g. http://127.0.0.1:9300');

const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY } });
const created = new Set();

after(async () => {
  await Promise.all([...created].map((QueueUrl) =>
    sqs.send(new DeleteQueueCommand({ QueueUrl })).catch((error) => {
      if (!(error instanceof QueueDoesNotExist)) throw error;
    })));
});

async function queue(prefix, Attributes) {
  const QueueName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, Attributes }));
  created.add(QueueUrl);
  return { QueueName, QueueUrl };
}

describe('@aws-sdk/client-sqs against Stratus', () => {
  test('CreateQueue, GetQueueUrl, ListQueues and GetQueueAttributes describe the queue', async () => {
    const { QueueName, QueueUrl } = await queue('sdk-describe', { VisibilityTimeout: '45', DelaySeconds: '0' });

    assert.equal(QueueUrl, `${endpoint}/000000000000/${QueueName}`);
    assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl, QueueUrl);
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'sdk-describe-' }));
    assert.ok(listed.QueueUrls.includes(QueueUrl));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(Attributes.VisibilityTimeout, '45');
    assert.equal(Attributes.MessageRetentionPeriod, '345600');
    assert.equal(Attributes.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${QueueName}`);
  });

  test('SendMessage with attributes and ReceiveMessage return the message with verified digests', async () => {
    const { QueueUrl } = await queue('sdk-send');
    const sent = await sqs.send(new SendMessageCommand({
      QueueUrl,
      MessageBody: 'héllo wörld',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'greeting' },
        size: { DataType: 'Number', StringValue: '11' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
      },
    }));
    assert.match(sent.MessageId, /^[0-9a-f-]{36}$/);
    assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);

    const { Messages } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1,
    }));
    assert.equal(Messages.length, 1);
    const [message] = Messages;
    assert.equal(message.Body, 'héllo wörld');
    assert.equal(message.MessageId, sent.MessageId);
    assert.equal(message.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
    assert.equal(message.MessageAttributes.kind.StringValue, 'greeting');
    assert.deepEqual([...message.MessageAttributes.blob.BinaryValue], [1, 2, 3]);
    assert.equal(message.Attributes.ApproximateReceiveCount, '1');

    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }));
    assert.deepEqual(Attributes, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  test('SendMessageBatch and DeleteMessageBatch handle ten messages', async () => {
    const { QueueUrl } = await queue('sdk-batch');
    const Entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
    assert.equal(sent.Successful.length, 10);

    const received = [];
    while (received.length < 10) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      received.push(...Messages);
    }
    assert.deepEqual(received.map((m) => m.Body).sort(), Entries.map((e) => e.MessageBody).sort());
    const deleted = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl, Entries: received.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
    }));
    assert.equal(deleted.Successful.length, 10);

    await assert.rejects(
      sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [...Entries, { Id: 'eleven', MessageBody: 'x' }] })),
      TooManyEntriesInBatchRequest);
  });

  test('ReceiveMessage long polling wakes up when a message is sent', async () => {
    const { QueueUrl } = await queue('sdk-poll');
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' }));
    const { Messages } = await waiting;
    assert.equal(Messages[0].Body, 'wake up');
  });

  test('ChangeMessageVisibility, SetQueueAttributes and PurgeQueue behave as in SQS', async () => {
    const { QueueUrl } = await queue('sdk-visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages[0];
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 }));
    const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages[0];
    assert.equal(second.MessageId, first.MessageId);
    assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
    assert.equal(second.Attributes.ApproximateReceiveCount, '2');

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '5' } }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
    assert.equal(Attributes.VisibilityTimeout, '5');

    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0 }))
      .then(() => assert.fail('a purged message is not in flight'), (error) => assert.equal(error.name, 'MessageNotInflight'));
  });

  test('A queue that does not exist is QueueDoesNotExist', async () => {
    await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: `missing-${randomUUID().slice(0, 8)}` })), QueueDoesNotExist);
    await assert.rejects(
      sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/missing-queue`, MessageBody: 'x' })),
      (error) => error instanceof QueueDoesNotExist && error.$metadata.httpStatusCode === 400);
  });
});
