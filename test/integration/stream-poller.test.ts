import { describe, it, expect, beforeEach, afterEach, inject } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { defaultPollIntervalMs, startLocalRelay, type LocalRelay, type LocalRelayOptions } from '../../local/stream-poller.ts';
import { createDynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log.ts';
import { createDynamoCredentialStore } from '../../shared/adapters/dynamodb/credential-store.ts';
import { outboxItem, userItem } from '../../shared/adapters/dynamodb/items.ts';
import { createFileEventPublisher } from '../../shared/adapters/local/file-event-publisher.ts';
import { buildEvent, eventCredential, eventUser } from '../../shared/events/build-event.ts';
import { detailTypes, type AuditEvent, type PublishedEvent } from '../../shared/events/catalog.ts';
import type { StoredCredential, StoredUser } from '../../shared/domain/types.ts';
import type { AuditLog } from '../../shared/ports.ts';
import { createTestTable, type TestTable } from '../support/local-table.ts';
import { createRecordingPublisher } from '../support/recording-publisher.ts';
import { readEventsFile } from '../support/event-schema.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { sampleContext, sampleEvent, signInFailed } from '../support/sample-events.ts';
import { waitFor } from '../support/wait-for.ts';

const endpoint = inject('dynamodbEndpoint');

let table: TestTable;
let audit: AuditLog;
let files: { eventsFile: string; checkpointFile: string };
const relays: LocalRelay[] = [];

const start = async (options: Partial<LocalRelayOptions> = {}) => {
  const relay = await startLocalRelay({ dynamodbEndpoint: endpoint, streamArn: table.streamArn, ...files, pollIntervalMs: 20, ...options });
  relays.push(relay);
  return relay;
};

const record = async (count: number): Promise<AuditEvent[]> => {
  const events = Array.from({ length: count }, () => signInFailed());
  for (const event of events) await audit.record(event);
  return events;
};

const eventIds = (events: { detail: { eventId: string } }[]) => events.map((event) => event.detail.eventId);

/** Each id once, in the order first seen: a duplicate shows up as a difference in length. */
const countsById = (events: PublishedEvent[]) => {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.detail.eventId, (counts.get(event.detail.eventId) ?? 0) + 1);
  return counts;
};

const expectExactlyOnce = (published: PublishedEvent[], expected: AuditEvent[]) => {
  const counts = countsById(published);
  expect([...counts.keys()].sort()).toEqual(eventIds(expected).sort());
  expect([...counts.values()].every((count) => count === 1)).toBe(true);
};

describe('local stream poller against DynamoDB Local', () => {
  beforeEach(async () => {
    table = await createTestTable(endpoint, 'poller');
    audit = createDynamoAuditLog(table.documentClient, table.tableName);
    const directory = mkdtempSync(join(tmpdir(), 'latchkey-poller-'));
    files = { eventsFile: join(directory, 'events.jsonl'), checkpointFile: join(directory, 'relay-checkpoint.json') };
  });

  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop();
    await table.remove();
  });

  it('writes an outbox item to the events file within 2 s', async () => {
    // Prepare: polling as often as the local stage does.
    await start({ pollIntervalMs: defaultPollIntervalMs });
    const latencies: number[] = [];

    // Act
    for (let index = 0; index < 5; index += 1) {
      const event = signInFailed();
      const writtenAt = Date.now();
      await audit.record(event);
      await waitFor(async () => ((await readEventsFile(files.eventsFile)).some((line) => line.detail.eventId === event.detail.eventId) ? true : undefined), 2_000, `event ${event.detail.eventId}`);
      latencies.push(Date.now() - writtenAt);
    }

    // Assess
    console.log(`local relay latency, write to events file (ms): ${latencies.join(', ')}`);
    expect(Math.max(...latencies)).toBeLessThan(2_000);
  });

  it('relays every detail-type exactly as the catalog describes it, and nothing secret', async () => {
    const events = detailTypes.map((detailType) => sampleEvent(detailType, { now: () => Date.now() }));
    for (const event of events) await audit.record(event);
    const relay = await start();

    await relay.drained();

    const published = await readEventsFile(files.eventsFile);
    expect(published.map((event) => [event['detail-type'], event.detail])).toEqual(events.map((event) => [event.detailType, event.detail]));
    for (const event of published) assertNoSecrets(event);
  });

  it('relays success events written in the same transaction as their state change', async () => {
    // Prepare: a registration transaction (credential + guard + user + outbox item).
    const now = new Date().toISOString();
    const user: StoredUser = { id: 'dXNlci1oYW5kbGUtMDAx', username: 'ana.garcia', displayName: 'Ana', groups: [], disabled: false, createdAt: now, credentialCount: 0 };
    const credential: StoredCredential = {
      id: 'Y3JlZGVudGlhbC1pZC0wMDE',
      userId: user.id,
      publicKey: 'pQECAyYgASFYIBcN5nQ1PzW8Ra3aUqG0xK7hL2mV9yT4bE6dC1fJ8sRoIlggkV3cX7pZ0qW5eT8rY2uI4oP6aS9dF1gH3jK5lZ7xC0vB',
      algorithm: -7,
      counter: 0,
      transports: ['usb'],
      aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
      backupEligible: false,
      backedUp: false,
      userVerified: true,
      attestationFormat: 'packed',
      attestationTrusted: true,
      nickname: 'YubiKey',
      createdAt: now,
    };
    await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: userItem(user, 'ana.garcia') }));
    const registered = buildEvent(
      'Credential Registered',
      { actor: { type: 'user', userId: user.id }, outcome: 'success', user: eventUser(user), credential: eventCredential(credential), how: 'selfService' },
      sampleContext,
      { now: () => Date.now() },
    );
    const relay = await start();

    // Act
    await createDynamoCredentialStore(table.documentClient, table.tableName).register({
      credential,
      usernameKey: 'ana.garcia',
      maxCredentialsPerUser: 5,
      events: [registered],
    });
    await relay.drained();

    // Assess: only the outbox item became an event; the key's COSE bytes did not travel.
    const published = await readEventsFile(files.eventsFile);
    expect(published.map((event) => event.detail)).toEqual([registered.detail]);
    assertNoSecrets(published[0], { secrets: [credential.publicKey] });
  });

  it('delivers every event exactly once after the publisher failed several times', async () => {
    // Prepare: EventBridge is "down" for the first four calls.
    const publisher = createRecordingPublisher(createFileEventPublisher(files.eventsFile));
    publisher.failNextCalls(4);
    const events = await record(30);

    // Act
    const relay = await start({ publisher, batchSize: 10, retryBaseDelayMs: 20, retryMaxDelayMs: 100 });
    await relay.drained();

    // Assess
    expect(publisher.calls).toBeGreaterThan(4);
    expectExactlyOnce(publisher.accepted, events);
    expectExactlyOnce(await readEventsFile(files.eventsFile), events);
  });

  it('retries only the failed records of a partial failure and re-publishes none of the others', async () => {
    const publisher = createRecordingPublisher();
    const events = await record(25);
    publisher.failEvents([events[3]!, events[11]!, events[24]!].map((event) => event.detail.eventId), 2);

    const relay = await start({ publisher, batchSize: 10, retryBaseDelayMs: 20, retryMaxDelayMs: 100 });
    await relay.drained();

    expectExactlyOnce(publisher.accepted, events);
  });

  it('resumes after a stop in the middle of a batch without losing or re-publishing events', async () => {
    // Prepare: a slow publisher, so the stop lands while a batch is being published.
    const firstRun = createRecordingPublisher(createFileEventPublisher(files.eventsFile));
    firstRun.delayMs = 150;
    const before = await record(40);
    const first = await start({ publisher: firstRun, batchSize: 10 });
    await waitFor(() => (firstRun.calls >= 2 ? true : undefined), 5_000, 'the second batch to start');

    // Act: stop mid-batch, write more while the relay is down, start it again.
    await first.stop();
    const acceptedBeforeRestart = firstRun.accepted.length;
    const during = await record(10);
    const secondRun = createRecordingPublisher(createFileEventPublisher(files.eventsFile));
    const second = await start({ publisher: secondRun, batchSize: 10 });
    await second.drained();

    // Assess
    expect(acceptedBeforeRestart).toBeGreaterThan(0);
    expect(acceptedBeforeRestart).toBeLessThan(before.length);
    expectExactlyOnce([...firstRun.accepted, ...secondRun.accepted], [...before, ...during]);
    expectExactlyOnce(await readEventsFile(files.eventsFile), [...before, ...during]);
  });

  it('parks a poison outbox item in the dead-letter file and relays the events after it', async () => {
    // Prepare: a broken outbox item between two good ones.
    const [good] = await record(1);
    const broken = signInFailed();
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: { ...outboxItem(broken), detail: { ...broken.detail, reason: 'bad_luck' } } }),
    );
    const [later] = await record(1);
    const deadLetterFile = join(files.eventsFile, '..', 'dead-letter.jsonl');

    // Act
    const relay = await start({ maxRecordAttempts: 3, retryBaseDelayMs: 10, retryMaxDelayMs: 20, deadLetterFile });
    await relay.drained();

    // Assess
    expect(eventIds(await readEventsFile(files.eventsFile))).toEqual(eventIds([good!, later!]));
    const parked = readFileSync(deadLetterFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { sequenceNumber: string; attempts: number; record: { dynamodb: { NewImage: { pk: { S: string } } } } });
    expect(parked).toHaveLength(1);
    expect(parked[0]?.attempts).toBe(3);
    expect(parked[0]?.record.dynamodb.NewImage.pk.S).toBe(`OUTBOX#${broken.detail.eventId}`);
  });

  it('ignores items that are not outbox items and the removal of expired outbox items', async () => {
    const publisher = createRecordingPublisher();
    const [event] = await record(1);
    await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: { pk: 'CHALLENGE#abc', sk: 'CHALLENGE', type: 'challenge', ttl: 1 } }));
    await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: { ...outboxItem(event!), ttl: 2 } })).catch(() => undefined);

    const relay = await start({ publisher });
    await relay.drained();

    expectExactlyOnce(publisher.accepted, [event!]);
  });
});
