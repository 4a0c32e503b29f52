import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { PublishedEvent } from '../events/catalog.ts';
import { parseOutboxItem } from '../events/parse-outbox-item.ts';
import { toPublishedEvent } from '../events/published-event.ts';
import type { EventPublisher } from '../ports.ts';
import { keys } from '../storage/table.ts';

/** A stream record the relay could not deliver; Lambda retries it (bisecting) and parks it in the DLQ. */
export interface RelayFailure {
  sequenceNumber: string;
  eventId?: string | undefined;
  detailType?: string | undefined;
  errorCode: string;
  errorMessage: string;
  /** The record itself is broken: no retry can publish it. */
  poison: boolean;
}

export interface RelayResult {
  published: number;
  /** REMOVE (TTL expiry) and MODIFY records, and inserts of items that are not outbox items. */
  ignored: number;
  failures: RelayFailure[];
}

/** A stream record without a sequence number cannot be reported or retried on its own. */
export class StreamRecordError extends Error {
  override readonly name = 'StreamRecordError';
}

type Parsed = { sequenceNumber: string; event: PublishedEvent } | { failure: RelayFailure };

/** The outbox item an INSERT record carries, or undefined for any record the relay ignores. */
const outboxImage = (record: DynamoDBRecord): Record<string, unknown> | undefined => {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return undefined;
  let item: Record<string, unknown>;
  try {
    // Lambda's and the SDK's AttributeValue types differ only in how they type binaries.
    item = unmarshall(image as Record<string, AttributeValue>);
  } catch {
    // An outbox item we cannot even read is still ours to report; anything else is not.
    return image.pk?.S?.startsWith(keys.outboxPrefix) ? { pk: image.pk.S } : undefined;
  }
  // Anything stored under the outbox prefix is ours: a malformed one is poison, not noise.
  return typeof item.pk === 'string' && item.pk.startsWith(keys.outboxPrefix) ? item : undefined;
};

const parseRecord = (record: DynamoDBRecord, item: Record<string, unknown>): Parsed => {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  // Ensure every record we act on can be reported back to Lambda by its sequence number.
  if (!sequenceNumber) throw new StreamRecordError(`Stream record ${record.eventID ?? '(no eventID)'} has no SequenceNumber`);
  try {
    return { sequenceNumber, event: toPublishedEvent(parseOutboxItem(item)) };
  } catch (error) {
    const eventId = typeof item.pk === 'string' ? item.pk.slice(item.pk.indexOf('#') + 1) : undefined;
    return {
      failure: {
        sequenceNumber,
        eventId,
        detailType: typeof item.detailType === 'string' ? item.detailType : undefined,
        errorCode: 'InvalidOutboxItem',
        errorMessage: error instanceof Error ? error.message : String(error),
        poison: true,
      },
    };
  }
};

/**
 * The transactional outbox's relay (EVENTS.md "Delivery"): publishes the audit event of
 * every outbox INSERT in a DynamoDB stream batch and reports the records it could not
 * publish, so the caller retries exactly those. REMOVE records (outbox TTL expiry) and
 * MODIFY records are ignored; an item that fails its catalog schema is never published.
 */
export const relayAuditEvents = async (
  input: { records: DynamoDBRecord[] },
  { publisher }: { publisher: EventPublisher },
): Promise<RelayResult> => {
  const failures: RelayFailure[] = [];
  const toPublish: { sequenceNumber: string; event: PublishedEvent }[] = [];
  let ignored = 0;
  for (const record of input.records) {
    const item = outboxImage(record);
    if (!item) {
      ignored += 1;
      continue;
    }
    const parsed = parseRecord(record, item);
    if ('failure' in parsed) failures.push(parsed.failure);
    else toPublish.push(parsed);
  }
  if (toPublish.length === 0) return { published: 0, ignored, failures };

  const unique = [...new Map(toPublish.map(({ event }) => [event.detail.eventId, event])).values()];
  let failed: Map<string, { errorCode: string; errorMessage: string }>;
  try {
    const result = await publisher.publish(unique);
    failed = new Map(result.failed.map(({ event, errorCode, errorMessage }) => [event.detail.eventId, { errorCode, errorMessage }]));
  } catch (error) {
    // A publisher that throws has delivered nothing we can count on.
    const reason = { errorCode: 'PublisherError', errorMessage: error instanceof Error ? error.message : String(error) };
    failed = new Map(unique.map((event) => [event.detail.eventId, reason]));
  }

  let published = 0;
  for (const { sequenceNumber, event } of toPublish) {
    const failure = failed.get(event.detail.eventId);
    if (!failure) {
      published += 1;
      continue;
    }
    failures.push({
      sequenceNumber,
      eventId: event.detail.eventId,
      detailType: event['detail-type'],
      ...failure,
      poison: failure.errorCode === 'EntryTooLarge',
    });
  }
  return { published, ignored, failures };
};
