import { describe, it, expect } from 'vitest';
import { relayAuditEvents, StreamRecordError } from '../../../shared/use-cases/relay-audit-events.ts';
import { outboxInsertFilterPattern } from '../../../shared/relay/outbox-stream-filter.ts';
import { outboxItem } from '../../../shared/adapters/dynamodb/items.ts';
import { publishedEventId } from '../../../shared/events/published-event.ts';
import { detailTypes } from '../../../shared/events/catalog.ts';
import { createRecordingPublisher } from '../../support/recording-publisher.ts';
import { outboxInsert, streamRecord } from '../../support/stream-records.ts';
import { sampleEvent, signInFailed } from '../../support/sample-events.ts';
import { parsePublishedEvent } from '../../support/event-schema.ts';

describe('relayAuditEvents', () => {
  it('publishes the event of every outbox insert as an EventBridge event', async () => {
    // Prepare
    const publisher = createRecordingPublisher();
    const events = detailTypes.map((detailType) => sampleEvent(detailType));
    const records = events.map((event, index) => outboxInsert(event, String(100 + index)));

    // Act
    const result = await relayAuditEvents({ records }, { publisher });

    // Assess
    expect(result).toEqual({ published: events.length, ignored: 0, failures: [] });
    expect(publisher.accepted.map(parsePublishedEvent)).toEqual(
      events.map((event) => ({
        id: publishedEventId(event.detail.eventId),
        source: 'latchkey',
        'detail-type': event.detailType,
        time: event.detail.occurredAt,
        detail: event.detail,
      })),
    );
  });

  it('gives an event the same EventBridge id every time it is relayed', async () => {
    const publisher = createRecordingPublisher();
    const event = signInFailed();

    await relayAuditEvents({ records: [outboxInsert(event, '1')] }, { publisher });
    await relayAuditEvents({ records: [outboxInsert(event, '1')] }, { publisher });

    const [first, second] = publisher.accepted;
    expect(first?.id).toBe(second?.id);
    expect(first?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('ignores REMOVE (TTL expiry) and MODIFY records and items that are not outbox items', async () => {
    const publisher = createRecordingPublisher();
    const event = signInFailed();
    const records = [
      streamRecord('REMOVE', outboxItem(event), '1'),
      streamRecord('MODIFY', outboxItem(event), '2'),
      streamRecord('INSERT', { pk: 'USER#abc', sk: 'PROFILE', type: 'user', username: 'ana' }, '3'),
      streamRecord('INSERT', { pk: 'CHALLENGE#xyz', sk: 'CHALLENGE', type: 'challenge' }, '4'),
    ];

    const result = await relayAuditEvents({ records }, { publisher });

    expect(result).toEqual({ published: 0, ignored: 4, failures: [] });
    expect(publisher.calls).toBe(0);
  });

  it('reports an outbox item whose detail breaks its schema as a poison record and publishes the rest', async () => {
    const publisher = createRecordingPublisher();
    const good = signInFailed();
    const broken = signInFailed();
    const brokenItem = { ...outboxItem(broken), detail: { ...broken.detail, outcome: 'success' } };
    const unknownType = { ...outboxItem(signInFailed()), detailType: 'Coffee Brewed' };

    const result = await relayAuditEvents(
      { records: [outboxInsert(good, '10'), streamRecord('INSERT', brokenItem, '11'), streamRecord('INSERT', unknownType, '12')] },
      { publisher },
    );

    expect(result.published).toBe(1);
    expect(result.failures.map(({ sequenceNumber, errorCode, poison }) => ({ sequenceNumber, errorCode, poison }))).toEqual([
      { sequenceNumber: '11', errorCode: 'InvalidOutboxItem', poison: true },
      { sequenceNumber: '12', errorCode: 'InvalidOutboxItem', poison: true },
    ]);
    expect(result.failures[0]?.errorMessage).toContain('outcome');
    expect(publisher.accepted.map((event) => event.detail.eventId)).toEqual([good.detail.eventId]);
  });

  it('refuses an item stored under another event\'s key', async () => {
    const publisher = createRecordingPublisher();
    const event = signInFailed();
    const misplaced = { ...outboxItem(event), pk: `OUTBOX#${signInFailed().detail.eventId}` };

    const result = await relayAuditEvents({ records: [streamRecord('INSERT', misplaced, '5')] }, { publisher });

    expect(result.failures).toMatchObject([{ sequenceNumber: '5', poison: true }]);
  });

  it('reports exactly the records whose events the publisher could not deliver', async () => {
    const publisher = createRecordingPublisher();
    const events = Array.from({ length: 5 }, () => signInFailed());
    publisher.failEvents([events[1]!.detail.eventId, events[3]!.detail.eventId], 1);

    const result = await relayAuditEvents({ records: events.map((event, index) => outboxInsert(event, String(index + 1))) }, { publisher });

    expect(result.published).toBe(3);
    expect(result.failures.map(({ sequenceNumber, eventId, poison }) => ({ sequenceNumber, eventId, poison }))).toEqual([
      { sequenceNumber: '2', eventId: events[1]!.detail.eventId, poison: false },
      { sequenceNumber: '4', eventId: events[3]!.detail.eventId, poison: false },
    ]);
  });

  it('reports every record when the publisher throws', async () => {
    const publisher = createRecordingPublisher();
    publisher.failNextCalls(1);
    const records = [outboxInsert(signInFailed(), '1'), outboxInsert(signInFailed(), '2')];

    const result = await relayAuditEvents({ records }, { publisher });

    expect(result.failures.map(({ sequenceNumber, errorCode }) => [sequenceNumber, errorCode])).toEqual([
      ['1', 'PublisherError'],
      ['2', 'PublisherError'],
    ]);
  });

  it('fails the whole batch for an outbox record without a sequence number', async () => {
    const record = outboxInsert(signInFailed(), '1');
    delete record.dynamodb?.SequenceNumber;

    await expect(relayAuditEvents({ records: [record] }, { publisher: createRecordingPublisher() })).rejects.toThrow(StreamRecordError);
  });
});

describe('outboxInsertFilterPattern', () => {
  /** EventBridge-style matching for the literal and prefix rules the filter uses. */
  const matches = (pattern: unknown, value: unknown): boolean => {
    if (Array.isArray(pattern)) {
      return pattern.some((rule) =>
        typeof rule === 'object' && rule !== null && 'prefix' in rule ? typeof value === 'string' && value.startsWith(String(rule.prefix)) : rule === value,
      );
    }
    return Object.entries(pattern as Record<string, unknown>).every(([name, rule]) => matches(rule, (value as Record<string, unknown> | undefined)?.[name]));
  };

  it('lets through exactly the records the relay publishes', async () => {
    const event = signInFailed();
    const records = [
      outboxInsert(event, '1'),
      streamRecord('REMOVE', outboxItem(event), '2'),
      streamRecord('MODIFY', outboxItem(event), '3'),
      streamRecord('INSERT', { pk: 'USER#abc', sk: 'PROFILE', type: 'user' }, '4'),
    ];

    const selected = records.filter((record) => matches(outboxInsertFilterPattern, record));
    const result = await relayAuditEvents({ records }, { publisher: createRecordingPublisher() });

    expect(selected.map((record) => record.dynamodb?.SequenceNumber)).toEqual(['1']);
    expect(result.published).toBe(selected.length);
  });
});
