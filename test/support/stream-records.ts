import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxItem } from '../../shared/adapters/dynamodb/items.ts';
import type { AuditEvent } from '../../shared/events/catalog.ts';

/** Lambda-shaped DynamoDB stream records, as the relay receives them. */

const streamArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/latchkey-test/stream/2026-03-04T00:00:00.000';

const image = (item: Record<string, unknown>) => marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;

export const streamRecord = (
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  item: Record<string, unknown>,
  sequenceNumber: string,
): DynamoDBRecord => ({
  eventID: `event-${sequenceNumber}`,
  eventName,
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'eu-west-1',
  eventSourceARN: streamArn,
  dynamodb: {
    ApproximateCreationDateTime: 1_772_615_727,
    Keys: image({ pk: item.pk, sk: item.sk }),
    ...(eventName === 'REMOVE' ? {} : { NewImage: image(item) }),
    SequenceNumber: sequenceNumber,
    SizeBytes: 512,
    StreamViewType: 'NEW_IMAGE',
  },
});

/** The stream record of an outbox item's insert. */
export const outboxInsert = (event: AuditEvent, sequenceNumber: string): DynamoDBRecord =>
  streamRecord('INSERT', outboxItem(event), sequenceNumber);

export const streamEvent = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
