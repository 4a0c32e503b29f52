import { describe, it, expect, beforeEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { orderShardsByLineage, startLocalRelay } from '../../../local/stream-poller.ts';
import { outboxItem } from '../../../shared/adapters/dynamodb/items.ts';
import type { AuditEvent } from '../../../shared/events/catalog.ts';
import { createRecordingPublisher } from '../../support/recording-publisher.ts';
import { signInFailed } from '../../support/sample-events.ts';

/**
 * DynamoDB Local's server never rolls its stream shards over (its rollover job is not
 * scheduled), so the lineage that real streams have every few hours is played here by a
 * fake at the SDK boundary: a closed parent shard and its open child.
 */
const streams = mockClient(DynamoDBStreamsClient);
const streamArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/latchkey/stream/2026-03-04T00:00:00.000';

const record = (event: AuditEvent, sequenceNumber: string): StreamRecord => ({
  eventID: sequenceNumber,
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'eu-west-1',
  dynamodb: {
    ApproximateCreationDateTime: new Date(),
    Keys: marshall({ pk: `OUTBOX#${event.detail.eventId}`, sk: 'OUTBOX' }),
    NewImage: marshall(outboxItem(event), { removeUndefinedValues: true }),
    SequenceNumber: sequenceNumber,
    SizeBytes: 300,
    StreamViewType: 'NEW_IMAGE',
  },
});

const paths = () => {
  const directory = mkdtempSync(join(tmpdir(), 'latchkey-lineage-'));
  return { eventsFile: join(directory, 'events.jsonl'), checkpointFile: join(directory, 'relay-checkpoint.json') };
};

describe('stream shard lineage', () => {
  beforeEach(() => streams.reset());

  it('orders parents before children whatever order DescribeStream lists them in', () => {
    const shards = [
      { ShardId: 'grandchild', ParentShardId: 'child' },
      { ShardId: 'child', ParentShardId: 'parent' },
      { ShardId: 'orphan', ParentShardId: 'trimmed-long-ago' },
      { ShardId: 'parent' },
    ];

    expect(orderShardsByLineage(shards).map((shard) => shard.ShardId)).toEqual(['parent', 'child', 'grandchild', 'orphan']);
  });

  it('relays a closed parent shard to its end before reading its child', async () => {
    // Prepare: the child is listed first and has a record before the parent is read to its end.
    const [first, second, third] = [signInFailed(), signInFailed(), signInFailed()];
    streams.on(DescribeStreamCommand).resolves({
      StreamDescription: {
        StreamArn: streamArn,
        Shards: [
          { ShardId: 'shard-child', ParentShardId: 'shard-parent', SequenceNumberRange: { StartingSequenceNumber: '300' } },
          { ShardId: 'shard-parent', SequenceNumberRange: { StartingSequenceNumber: '100', EndingSequenceNumber: '200' } },
        ],
      },
    });
    streams.on(GetShardIteratorCommand).callsFake((input: { ShardId: string }) => ({ ShardIterator: `${input.ShardId}#1` }));
    streams.on(GetRecordsCommand, { ShardIterator: 'shard-parent#1' }).resolves({ Records: [record(first!, '100')], NextShardIterator: 'shard-parent#2' });
    streams.on(GetRecordsCommand, { ShardIterator: 'shard-parent#2' }).resolves({ Records: [record(second!, '200')], NextShardIterator: 'shard-parent#3' });
    streams.on(GetRecordsCommand, { ShardIterator: 'shard-parent#3' }).resolves({ Records: [], NextShardIterator: undefined });
    streams.on(GetRecordsCommand, { ShardIterator: 'shard-child#1' }).resolves({ Records: [record(third!, '300')], NextShardIterator: 'shard-child#2' });
    streams.on(GetRecordsCommand, { ShardIterator: 'shard-child#2' }).resolves({ Records: [], NextShardIterator: 'shard-child#2' });
    const publisher = createRecordingPublisher();

    // Act
    const relay = await startLocalRelay({ dynamodbEndpoint: 'http://127.0.0.1:1', streamArn, ...paths(), publisher, pollIntervalMs: 10, batchSize: 1 });
    await relay.drained();
    await relay.stop();

    // Assess
    expect(publisher.accepted.map((event) => event.detail.eventId)).toEqual([first, second, third].map((event) => event!.detail.eventId));
    const iteratorRequests = streams.commandCalls(GetShardIteratorCommand).map((call) => call.args[0].input.ShardId);
    expect(iteratorRequests.indexOf('shard-parent')).toBeLessThan(iteratorRequests.indexOf('shard-child'));
  });
});
