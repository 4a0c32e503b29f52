import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { ensureTable } from '../local/table.ts';
import { startLocalRelay } from '../local/stream-poller.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { createDynamoAuditLog } from '../shared/adapters/dynamodb/audit-log.ts';
import { createFileEventPublisher } from '../shared/adapters/local/file-event-publisher.ts';
import { buildEvent } from '../shared/events/build-event.ts';
import type { EventPublisher } from '../shared/ports.ts';

export interface RelayThroughputOptions {
  /** Outbox items to relay. */
  events: number;
  /** Use a running DynamoDB Local instead of starting one in memory. */
  dynamodbEndpoint?: string;
  /** Records per relay invocation (the Lambda event source's batch size). Default 100. */
  batchSize?: number;
}

export interface RelayThroughput {
  events: number;
  /** From the relay's start to the last event fsync'd in the events file. */
  seconds: number;
  eventsPerSecond: number;
}

const writeConcurrency = 32;

/**
 * Events per second through the local relay: N outbox items are written to a fresh table
 * first, then the clock runs from starting the relay until the events file holds all N.
 * The same stream poller, relay handler and file publisher as `npm start`.
 */
export const measureRelayThroughput = async (options: RelayThroughputOptions): Promise<RelayThroughput> => {
  const dynamodb = options.dynamodbEndpoint ? undefined : await startDynamoDbLocal();
  const endpoint = options.dynamodbEndpoint ?? dynamodb!.endpoint;
  const directory = await mkdtemp(join(tmpdir(), 'latchkey-bench-relay-'));
  const tableName = `bench-relay-${Date.now()}`;
  const client = new DynamoDBClient({ endpoint, region: 'localhost', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const documentClient = createDocumentClient({ tableName, endpoint });
  try {
    const { streamArn } = await ensureTable(client, tableName);
    const audit = createDynamoAuditLog(documentClient, tableName);
    const clock = { now: () => Date.now() };
    const context = { requestId: 'bench', stage: 'bench', client: { ip: '127.0.0.1', userAgent: 'latchkey-bench' } };
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(writeConcurrency, options.events) }, async () => {
        while (next < options.events) {
          next += 1;
          await audit.record(buildEvent('Sign-In Failed', { actor: { type: 'anonymous' }, outcome: 'failure', reason: 'signature_invalid' }, context, clock));
        }
      }),
    );

    const eventsFile = join(directory, 'events.jsonl');
    const filePublisher = createFileEventPublisher(eventsFile);
    let written = 0;
    let allWritten: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allWritten = resolve));
    const publisher: EventPublisher = {
      async publish(events) {
        const result = await filePublisher.publish(events);
        written += events.length - result.failed.length;
        if (written >= options.events) allWritten();
        return result;
      },
    };

    const startedAt = performance.now();
    const relay = await startLocalRelay({
      dynamodbEndpoint: endpoint,
      streamArn,
      eventsFile,
      checkpointFile: join(directory, 'relay-checkpoint.json'),
      publisher,
      batchSize: options.batchSize ?? 100,
    });
    await done;
    const seconds = (performance.now() - startedAt) / 1000;
    await relay.stop();

    const lines = (await readFile(eventsFile, 'utf8')).split('\n').filter((line) => line !== '').length;
    // Ensure the measurement counted real, distinct lines in the file.
    if (lines !== options.events) throw new Error(`Expected ${options.events} events in ${eventsFile}, found ${lines}`);
    return { events: options.events, seconds, eventsPerSecond: options.events / seconds };
  } finally {
    client.destroy();
    documentClient.destroy();
    await rm(directory, { recursive: true, force: true });
    await dynamodb?.stop();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const events = Number(process.argv[2] ?? 2000);
  const result = await measureRelayThroughput({ events });
  console.log(`relay throughput: ${result.events} events in ${result.seconds.toFixed(2)} s = ${result.eventsPerSecond.toFixed(0)} events/s`);
}
