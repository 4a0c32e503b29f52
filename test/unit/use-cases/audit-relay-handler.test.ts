import { describe, it, expect } from 'vitest';
import type { Context } from 'aws-lambda';
import { createAuditRelayHandler } from '../../../shared/relay/create-audit-relay-handler.ts';
import { outboxItem } from '../../../shared/adapters/dynamodb/items.ts';
import { createRecordingPublisher } from '../../support/recording-publisher.ts';
import { outboxInsert, streamEvent, streamRecord } from '../../support/stream-records.ts';
import { signInFailed } from '../../support/sample-events.ts';

const context = {
  functionName: 'audit-relay',
  awsRequestId: 'test-request',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:audit-relay',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

describe('audit relay handler', () => {
  it('answers with batchItemFailures naming exactly the records not published', async () => {
    // Prepare
    const publisher = createRecordingPublisher();
    const delivered = signInFailed();
    const failing = signInFailed();
    const poison = { ...outboxItem(signInFailed()), detail: { schemaVersion: 2 } };
    publisher.failEvents([failing.detail.eventId], 1);
    const handler = createAuditRelayHandler({ publisher });

    // Act
    const response = await handler(
      streamEvent([
        outboxInsert(delivered, '49601'),
        streamRecord('REMOVE', outboxItem(signInFailed()), '49602'),
        outboxInsert(failing, '49603'),
        streamRecord('INSERT', poison, '49604'),
      ]),
      context,
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '49604' }, { itemIdentifier: '49603' }] });
    expect(publisher.accepted.map((event) => event.detail.eventId)).toEqual([delivered.detail.eventId]);
  });

  it('answers with no failures when everything was published', async () => {
    const handler = createAuditRelayHandler({ publisher: createRecordingPublisher() });

    const response = await handler(streamEvent([outboxInsert(signInFailed(), '1')]), context);

    expect(response).toEqual({ batchItemFailures: [] });
  });
});
