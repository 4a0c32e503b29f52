import { describe, it, expect, beforeEach } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  createEventBridgePublisher,
  maxRequestEntryBytes,
  putEventsEntrySize,
} from '../../../shared/adapters/eventbridge/event-bridge-publisher.ts';
import { toPublishedEvent } from '../../../shared/events/published-event.ts';
import type { PublishedEvent } from '../../../shared/events/catalog.ts';
import { sampleEvent, signInFailed } from '../../support/sample-events.ts';

const eventBridge = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'eu-west-1' });
const eventBusName = 'latchkey-test';

const events = (count: number): PublishedEvent[] => Array.from({ length: count }, () => toPublishedEvent(signInFailed()));

/** An event whose Detail is about `bytes` long (the user agent carries the padding). */
const eventOfSize = (bytes: number): PublishedEvent => {
  const event = toPublishedEvent(signInFailed());
  const base = Buffer.byteLength(JSON.stringify(event.detail));
  return { ...event, detail: { ...event.detail, client: { ...event.detail.client, userAgent: event.detail.client.userAgent + 'x'.repeat(Math.max(0, bytes - base)) } } };
};

const sentEntries = (): PutEventsRequestEntry[][] =>
  eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);

const acceptAll = () =>
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, index) => ({ EventId: `eb-${index}` })),
  }));

const delays: number[] = [];
const publisher = (maxAttempts = 4) =>
  createEventBridgePublisher(client, {
    eventBusName,
    retry: { maxAttempts, baseDelayMs: 100, maxDelayMs: 1_000 },
    sleep: async (milliseconds) => {
      delays.push(milliseconds);
    },
    random: () => 0.5,
  });

describe('EventBridge publisher', () => {
  beforeEach(() => {
    eventBridge.reset();
    delays.length = 0;
  });

  it('sends each event as one PutEvents entry on the bus', async () => {
    // Prepare
    acceptAll();
    const event = toPublishedEvent(sampleEvent('Sign-In Succeeded'));

    // Act
    const result = await publisher().publish([event]);

    // Assess
    expect(result.failed).toEqual([]);
    expect(sentEntries()).toEqual([
      [
        {
          EventBusName: eventBusName,
          Source: 'latchkey',
          DetailType: 'Sign-In Succeeded',
          Detail: JSON.stringify(event.detail),
          Time: new Date(event.detail.occurredAt),
        },
      ],
    ]);
  });

  it('batches at most 10 entries per request', async () => {
    acceptAll();

    const result = await publisher().publish(events(25));

    expect(result.failed).toEqual([]);
    expect(sentEntries().map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('splits batches so no request exceeds 256 KB of entries', async () => {
    acceptAll();
    const large = Array.from({ length: 5 }, () => eventOfSize(100 * 1024));

    const result = await publisher().publish(large);

    expect(result.failed).toEqual([]);
    const batches = sentEntries();
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    for (const batch of batches) {
      expect(batch.reduce((total, entry) => total + putEventsEntrySize(entry), 0)).toBeLessThanOrEqual(maxRequestEntryBytes);
    }
  });

  it('counts entry size the way EventBridge documents it', () => {
    const entry: PutEventsRequestEntry = { Source: 'latchkey', DetailType: 'Sign-In Failed', Detail: '{"a":"é"}', Time: new Date(), Resources: ['arn:x'] };

    expect(putEventsEntrySize(entry)).toBe(14 + 8 + 14 + 10 + 5);
  });

  it('reports an entry over 256 KB as failed at once and never sends it', async () => {
    acceptAll();
    const tooLarge = eventOfSize(maxRequestEntryBytes + 1);
    const fine = events(3);

    const result = await publisher().publish([tooLarge, ...fine]);

    expect(result.failed.map(({ event, errorCode }) => [event.id, errorCode])).toEqual([[tooLarge.id, 'EntryTooLarge']]);
    expect(sentEntries().flat()).toHaveLength(3);
  });

  it('resends only the entries PutEvents reported as failed', async () => {
    // Prepare: entries 2 and 7 of 10 fail once.
    const batch = events(10);
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: batch.map((_, index) =>
          index === 2 || index === 7 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `eb-${index}` },
        ),
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-a' }, { EventId: 'eb-b' }] });

    // Act
    const result = await publisher().publish(batch);

    // Assess
    expect(result.failed).toEqual([]);
    const [first, second] = sentEntries();
    expect(first).toHaveLength(10);
    expect(second?.map((entry) => entry.Detail)).toEqual([JSON.stringify(batch[2]?.detail), JSON.stringify(batch[7]?.detail)]);
  });

  it('backs off exponentially between attempts and succeeds once the entries go through', async () => {
    const batch = events(3);
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 3, Entries: batch.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal' })) })
      .rejectsOnce(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }))
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException' }, { EventId: 'c' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });

    const result = await publisher(5).publish(batch);

    expect(result.failed).toEqual([]);
    expect(sentEntries().map((entries) => entries.length)).toEqual([3, 3, 3, 1]);
    // Equal jitter with random 0.5: three quarters of 100, 200, 400 ms.
    expect(delays).toEqual([75, 150, 300]);
  });

  it('gives up after the attempt bound and reports what still failed', async () => {
    const batch = events(4);
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((entry) =>
        entry.Detail === JSON.stringify(batch[1]?.detail) ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal error' } : { EventId: 'ok' },
      ),
    }));

    const result = await publisher(4).publish(batch);

    expect(result.failed).toEqual([{ event: batch[1], errorCode: 'InternalFailure', errorMessage: 'Internal error' }]);
    expect(sentEntries().map((entries) => entries.length)).toEqual([4, 1, 1, 1]);
    expect(delays).toHaveLength(3);
  });

  it('does not resend entries EventBridge refused as malformed', async () => {
    const batch = events(2);
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'ok' }, { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed' }] });

    const result = await publisher().publish(batch);

    expect(result.failed.map(({ event, errorCode }) => [event.id, errorCode])).toEqual([[batch[1]?.id, 'MalformedDetail']]);
    expect(sentEntries()).toHaveLength(1);
  });

  it('reports every entry of a batch whose request kept failing', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const batch = events(12);

    const result = await publisher(3).publish(batch);

    expect(result.failed).toHaveLength(12);
    expect(new Set(result.failed.map(({ errorCode }) => errorCode))).toEqual(new Set(['ThrottlingException']));
    expect(sentEntries()).toHaveLength(6);
  });
});
