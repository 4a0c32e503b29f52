import { describe, it, expect, inject, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { ensureTable } from '../../local/table.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import type { AuditLog } from '../../shared/ports.ts';
import { startLocalRelay } from '../../local/stream-poller.ts';
import { createDynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log.ts';
import { createFileEventPublisher } from '../../shared/adapters/local/file-event-publisher.ts';
import type { AuditEvent, PublishedEvent } from '../../shared/events/catalog.ts';
import { createTestTable } from '../support/local-table.ts';
import { createRecordingPublisher } from '../support/recording-publisher.ts';
import { readEventsFile } from '../support/event-schema.ts';
import { signInFailed } from '../support/sample-events.ts';
import { waitFor } from '../support/wait-for.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const expectExactlyOnce = (published: PublishedEvent[], expected: AuditEvent[]) => {
  const ids = published.map((event) => event.detail.eventId);
  expect(ids).toHaveLength(new Set(ids).size);
  expect([...ids].sort()).toEqual(expected.map((event) => event.detail.eventId).sort());
};

const temporaryFiles = () => {
  const directory = mkdtempSync(join(tmpdir(), 'latchkey-restart-'));
  return { directory, eventsFile: join(directory, 'events.jsonl'), checkpointFile: join(directory, 'relay-checkpoint.json') };
};

/** Runs `work` against DynamoDB Local on `dbPath` with the table in place, then stops it. */
const withDynamoDbLocal = async <T>(
  dbPath: string,
  tableName: string,
  work: (context: { endpoint: string; streamArn: string; audit: AuditLog }) => Promise<T>,
): Promise<T> => {
  const dynamodb = await startDynamoDbLocal({ dbPath });
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'localhost', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const documentClient = createDocumentClient({ tableName, endpoint: dynamodb.endpoint });
  try {
    const { streamArn } = await ensureTable(client, tableName);
    return await work({ endpoint: dynamodb.endpoint, streamArn, audit: createDynamoAuditLog(documentClient, tableName) });
  } finally {
    client.destroy();
    documentClient.destroy();
    await dynamodb.stop();
  }
};

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('local relay restarts', () => {
  it('neither loses nor re-publishes events when DynamoDB Local and the relay restart on the same -dbPath', async () => {
    // Prepare: DynamoDB Local on disk, as `npm start` runs it, and a relay that catches up.
    const files = temporaryFiles();
    const dbPath = join(files.directory, 'dynamodb');
    const tableName = 'latchkey-restart';
    const firstEvents = Array.from({ length: 12 }, () => signInFailed());
    const firstRun = createRecordingPublisher(createFileEventPublisher(files.eventsFile));
    const before = await withDynamoDbLocal(dbPath, tableName, async ({ endpoint, streamArn, audit }) => {
      for (const event of firstEvents) await audit.record(event);
      const relay = await startLocalRelay({ dynamodbEndpoint: endpoint, streamArn, ...files, publisher: firstRun, pollIntervalMs: 20 });
      await relay.drained();
      await relay.stop();
      return streamArn;
    });

    // Act: DynamoDB Local comes back with its stream; the relay starts again from its checkpoint.
    const secondRun = createRecordingPublisher(createFileEventPublisher(files.eventsFile));
    const laterEvents = Array.from({ length: 3 }, () => signInFailed());
    const { after, acceptedAfterRestart } = await withDynamoDbLocal(dbPath, tableName, async ({ endpoint, streamArn, audit }) => {
      const relay = await startLocalRelay({ dynamodbEndpoint: endpoint, streamArn, ...files, publisher: secondRun, pollIntervalMs: 20 });
      await relay.drained();
      const accepted = secondRun.accepted.length;
      for (const event of laterEvents) await audit.record(event);
      await relay.drained();
      await relay.stop();
      return { after: streamArn, acceptedAfterRestart: accepted };
    });

    // Assess: the stream survived the restart, and only the new events were published.
    expect(after).toBe(before);
    expect(acceptedAfterRestart).toBe(0);
    expectExactlyOnce([...firstRun.accepted, ...secondRun.accepted], [...firstEvents, ...laterEvents]);
    expectExactlyOnce(await readEventsFile(files.eventsFile), [...firstEvents, ...laterEvents]);
  });

  it('neither loses nor re-publishes events when the relay process is killed between publishing and checkpointing', async () => {
    // Prepare: 50 events; the relay runs as its own process with batches of 10.
    const endpoint = inject('dynamodbEndpoint');
    const table = await createTestTable(endpoint, 'sigkill');
    const files = temporaryFiles();
    const hangMarker = join(files.directory, 'hung');
    const events = Array.from({ length: 50 }, () => signInFailed());
    for (const event of events) await createDynamoAuditLog(table.documentClient, table.tableName).record(event);
    const run = (extra: Record<string, string>) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/integration/fixtures/local-relay-process.ts')], {
        cwd: projectRoot,
        env: { ...process.env, DYNAMODB_ENDPOINT: endpoint, STREAM_ARN: table.streamArn, EVENTS_FILE: files.eventsFile, CHECKPOINT_FILE: files.checkpointFile, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return { child, output: () => output };
    };

    // Act: the third batch is half written when the process dies; then it starts again.
    const doomed = run({ HANG_ON_CALL: '3', HANG_MARKER: hangMarker });
    await waitFor(() => (existsSync(hangMarker) ? true : undefined), 30_000, `the relay to hang (output: ${doomed.output()})`);
    doomed.child.kill('SIGKILL');
    await new Promise((resolveExit) => doomed.child.once('exit', resolveExit));
    const writtenBeforeKill = (await readEventsFile(files.eventsFile)).length;
    const revived = run({});
    await waitFor(() => (revived.output().includes('drained') ? true : undefined), 30_000, `the restarted relay to drain (output: ${revived.output()})`);
    revived.child.kill('SIGTERM');
    await new Promise((resolveExit) => revived.child.once('exit', resolveExit));

    // Assess
    expect(writtenBeforeKill).toBe(25);
    expectExactlyOnce(await readEventsFile(files.eventsFile), events);
    await table.remove();
  });
});
