import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { createAuditRelayHandler } from '../shared/relay/create-audit-relay-handler.ts';
import { createFileEventPublisher } from '../shared/adapters/local/file-event-publisher.ts';
import { logger } from '../shared/http/observability.ts';
import type { EventPublisher } from '../shared/ports.ts';
import { lambdaContext } from './api-gateway-event.ts';
import { toLambdaStreamRecord } from './lambda-stream-record.ts';
import {
  compareSequenceNumbers,
  emptyShardCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  type RelayCheckpoint,
  type ShardCheckpoint,
} from './relay-checkpoint.ts';

/** Idle wait between polls: well inside the 2 s an event may take to reach the events file. */
export const defaultPollIntervalMs = 200;

export interface LocalRelayOptions {
  dynamodbEndpoint: string;
  streamArn: string;
  /** LOCAL_EVENTS_FILE: where the default publisher appends EventBridge event JSON lines. */
  eventsFile: string;
  /** Per-shard progress, written only after the publisher confirmed. Default `<events file>.checkpoint.json`. */
  checkpointFile?: string;
  /** Replaces the events-file publisher (tests inject faults here). */
  publisher?: EventPublisher;
  /** Idle wait between polls of a caught-up stream. Default 200 ms. */
  pollIntervalMs?: number;
  /** Records per relay invocation, as the Lambda event source's batch size. Default 100. */
  batchSize?: number;
  /** Invocations a failing record gets before it is parked in the dead-letter file. Default 12 (about 40 s). */
  maxRecordAttempts?: number;
  /** The local stand-in for the relay's SQS dead-letter queue. Default `<events file>.dead-letter.jsonl`. */
  deadLetterFile?: string;
  /** Backoff between invocations of a failing record. Defaults 100 ms doubling to 5 s. */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

export interface LocalRelay {
  /** Finishes the invocation in flight (its checkpoint included) and stops polling. */
  stop(): Promise<void>;
  /** Resolves once a poll that began after the call found nothing left to publish. */
  drained(): Promise<void>;
}

interface WindowRecord {
  sequenceNumber: string;
  record: DynamoDBRecord;
  published: boolean;
}

interface ShardState {
  shardId: string;
  parentShardId: string | undefined;
  iterator: string | undefined;
  /** GetRecords returned no next iterator: the shard is closed and read to its end. */
  closed: boolean;
  lastFetched: string | undefined;
  /** Records fetched but not yet covered by the checkpoint's `after`, in stream order. */
  window: WindowRecord[];
  attempts: number;
  retryAt: number;
}

const sleepUnless = (milliseconds: number, wake: { signal?: () => void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    wake.signal = () => {
      clearTimeout(timer);
      resolve();
    };
  });

/** Parents before children, so a key's events are read in the order the stream recorded them. */
export const orderShardsByLineage = (shards: Shard[]): Shard[] => {
  const byId = new Map(shards.map((shard) => [shard.ShardId ?? '', shard]));
  const ordered: Shard[] = [];
  const placed = new Set<string>();
  const place = (shard: Shard, depth: number) => {
    const id = shard.ShardId ?? '';
    if (placed.has(id) || depth > shards.length) return;
    const parent = shard.ParentShardId ? byId.get(shard.ParentShardId) : undefined;
    if (parent) place(parent, depth + 1);
    placed.add(id);
    ordered.push(shard);
  };
  for (const shard of shards) place(shard, 0);
  return ordered;
};

const appendLines = async (path: string, lines: unknown[]) => {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'a');
  try {
    await handle.writeFile(lines.map((line) => `${JSON.stringify(line)}\n`).join(''), 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * The local stage's audit relay: polls DynamoDB Local's stream (every shard, parents before
 * children) and hands Lambda-shaped stream events to the same relay handler the Lambda
 * runs. Only records the handler did not report as failed count as published; the
 * checkpoint file records them after each invocation, so a restart resumes without losing
 * or re-publishing events. A failing record is retried with backoff (later records of its
 * shard wait, as behind a Lambda event source) and parked in the dead-letter file after
 * `maxRecordAttempts`.
 */
export const startLocalRelay = async (options: LocalRelayOptions): Promise<LocalRelay> => {
  const pollIntervalMs = options.pollIntervalMs ?? defaultPollIntervalMs;
  const batchSize = options.batchSize ?? 100;
  const maxRecordAttempts = options.maxRecordAttempts ?? 12;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
  const retryMaxDelayMs = options.retryMaxDelayMs ?? 5_000;
  // Beside the events file: `.local/events.jsonl` → `.local/events.checkpoint.json`, `.local/events.dead-letter.jsonl`.
  const besideEventsFile = (suffix: string) => options.eventsFile.replace(/(\.jsonl)?$/, suffix);
  const checkpointFile = options.checkpointFile ?? besideEventsFile('.checkpoint.json');
  const deadLetterFile = options.deadLetterFile ?? besideEventsFile('.dead-letter.jsonl');
  const streamArn = options.streamArn;

  const streams = new DynamoDBStreamsClient({
    endpoint: options.dynamodbEndpoint,
    region: 'localhost',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const handler = createAuditRelayHandler({ publisher: options.publisher ?? createFileEventPublisher(options.eventsFile) });
  const checkpoint: RelayCheckpoint = await readCheckpoint(checkpointFile, streamArn);
  const shards = new Map<string, ShardState>();
  let lastDescribe = 0;

  const shardCheckpoint = (shardId: string): ShardCheckpoint => (checkpoint.shards[shardId] ??= emptyShardCheckpoint());
  const saveCheckpoint = () => writeCheckpoint(checkpointFile, checkpoint);

  const refreshShards = async () => {
    const listed: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
      listed.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    for (const shard of orderShardsByLineage(listed)) {
      const shardId = shard.ShardId;
      if (!shardId || shards.has(shardId)) continue;
      shards.set(shardId, {
        shardId,
        parentShardId: shard.ParentShardId,
        iterator: undefined,
        closed: false,
        lastFetched: undefined,
        window: [],
        attempts: 0,
        retryAt: 0,
      });
    }
    // Shards past the stream's retention are gone from the listing: forget them.
    const listedIds = new Set(listed.map((shard) => shard.ShardId));
    for (const shardId of [...shards.keys()]) if (!listedIds.has(shardId)) shards.delete(shardId);
    for (const shardId of Object.keys(checkpoint.shards)) if (!listedIds.has(shardId)) delete checkpoint.shards[shardId];
    lastDescribe = Date.now();
  };

  const acquireIterator = async (shard: ShardState): Promise<string | undefined> => {
    const resumeAfter = shard.lastFetched ?? shardCheckpoint(shard.shardId).after;
    try {
      const response = await streams.send(
        new GetShardIteratorCommand(
          resumeAfter
            ? { StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: resumeAfter }
            : { StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: 'TRIM_HORIZON' },
        ),
      );
      return response.ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      // Records after the checkpoint outlived their 24 h in the stream: relay what is left.
      logger.warn('Stream records after the checkpoint were trimmed before they were relayed', { shardId: shard.shardId, resumeAfter });
      const response = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: 'TRIM_HORIZON' }));
      return response.ShardIterator;
    }
  };

  /** Reads the next records of a shard into its window; false when it has nothing new. */
  const fetch = async (shard: ShardState): Promise<boolean> => {
    shard.iterator ??= await acquireIterator(shard);
    if (!shard.iterator) {
      shard.closed = true;
      return false;
    }
    let response;
    try {
      response = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: batchSize }));
    } catch (error) {
      if (!(error instanceof ExpiredIteratorException)) throw error;
      shard.iterator = undefined;
      return true;
    }
    shard.iterator = response.NextShardIterator;
    if (!response.NextShardIterator) shard.closed = true;
    const progress = shardCheckpoint(shard.shardId);
    for (const record of response.Records ?? []) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (!sequenceNumber) continue;
      shard.lastFetched = sequenceNumber;
      // Ensure a record published before a restart is not published again. Records up to
      // `after` only come back after a fallback to TRIM_HORIZON; `done` ones after a restart.
      if (progress.after !== undefined && compareSequenceNumbers(sequenceNumber, progress.after) <= 0) continue;
      shard.window.push({ sequenceNumber, record: toLambdaStreamRecord(record, streamArn), published: progress.done.includes(sequenceNumber) });
    }
    return (response.Records ?? []).length > 0 || shard.closed;
  };

  /** Moves `after` over the published prefix of the window and keeps the rest as `done`. */
  const compact = (shard: ShardState) => {
    const progress = shardCheckpoint(shard.shardId);
    while (shard.window[0]?.published) progress.after = shard.window.shift()?.sequenceNumber;
    progress.done = shard.window.filter((entry) => entry.published).map((entry) => entry.sequenceNumber);
    progress.finished = shard.closed && shard.window.length === 0;
  };

  const park = async (shard: ShardState, failed: WindowRecord[]) => {
    await appendLines(
      deadLetterFile,
      failed.map(({ sequenceNumber, record }) => ({ parkedAt: new Date().toISOString(), streamArn, shardId: shard.shardId, sequenceNumber, attempts: shard.attempts, record })),
    );
    logger.error('Audit events parked in the dead-letter file after repeated failures', {
      shardId: shard.shardId,
      sequenceNumbers: failed.map(({ sequenceNumber }) => sequenceNumber),
      deadLetterFile,
    });
    for (const entry of failed) entry.published = true;
  };

  /** One invocation of the relay handler over the shard's unpublished records. */
  const relay = async (shard: ShardState, pending: WindowRecord[]) => {
    let failedIds: Set<string>;
    try {
      const response = await handler({ Records: pending.map(({ record }) => record) }, lambdaContext('audit-relay'));
      failedIds = new Set(response.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier));
    } catch (error) {
      // A handler that throws fails the whole batch, as Lambda treats it.
      logger.warn('Audit relay invocation failed', { error, shardId: shard.shardId });
      failedIds = new Set(pending.map(({ sequenceNumber }) => sequenceNumber));
    }
    for (const entry of pending) if (!failedIds.has(entry.sequenceNumber)) entry.published = true;
    const failed = pending.filter((entry) => !entry.published);
    if (failed.length === 0) {
      shard.attempts = 0;
    } else {
      shard.attempts += 1;
      if (shard.attempts >= maxRecordAttempts) {
        await park(shard, failed);
        shard.attempts = 0;
      } else {
        const step = Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** (shard.attempts - 1));
        shard.retryAt = Date.now() + step / 2 + Math.random() * (step / 2);
      }
    }
    compact(shard);
    await saveCheckpoint();
  };

  /** Advances one shard by one step; false when it has nothing to do right now. */
  const step = async (shard: ShardState): Promise<boolean> => {
    const progress = shardCheckpoint(shard.shardId);
    if (progress.finished || Date.now() < shard.retryAt) return false;
    // Ensure a child shard starts only after its parent is fully relayed (lineage order).
    const parent = shard.parentShardId ? shards.get(shard.parentShardId) : undefined;
    if (parent && !shardCheckpoint(parent.shardId).finished) return false;

    let pending = shard.window.filter((entry) => !entry.published).slice(0, batchSize);
    if (pending.length === 0) {
      if (shard.closed) {
        compact(shard);
        await saveCheckpoint();
        return true;
      }
      const fetched = await fetch(shard);
      pending = shard.window.filter((entry) => !entry.published).slice(0, batchSize);
      if (pending.length === 0) {
        if (fetched && shard.window.length > 0) {
          compact(shard);
          await saveCheckpoint();
        }
        return fetched;
      }
    }
    await relay(shard, pending);
    return true;
  };

  let stopped = false;
  const wake: { signal?: () => void } = {};
  let cycle = 0;
  const drainWaiters: { fromCycle: number; resolve: () => void }[] = [];

  const runCycle = async (): Promise<boolean> => {
    if (shards.size === 0 || Date.now() - lastDescribe > 1_000) await refreshShards();
    let progressed = false;
    for (const shard of [...shards.values()]) {
      if (stopped) break;
      try {
        if (await step(shard)) progressed = true;
      } catch (error) {
        logger.warn('Polling a stream shard failed; retrying', { error, shardId: shard.shardId });
        shard.iterator = undefined;
        shard.retryAt = Date.now() + retryMaxDelayMs;
      }
    }
    return progressed;
  };

  const idle = () => [...shards.values()].every((shard) => shard.window.every((entry) => entry.published));

  const loop = (async () => {
    while (!stopped) {
      cycle += 1;
      const current = cycle;
      let progressed = false;
      let failed = false;
      try {
        progressed = await runCycle();
      } catch (error) {
        failed = true;
        logger.warn('Reading the stream failed; retrying', { error, streamArn });
      }
      if (!progressed && idle()) {
        for (const waiter of drainWaiters.filter((candidate) => candidate.fromCycle <= current)) {
          drainWaiters.splice(drainWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      // A stream that cannot be described (DynamoDB Local down, table gone) is retried slowly.
      if (!progressed && !stopped) await sleepUnless(failed ? retryMaxDelayMs : pollIntervalMs, wake);
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake.signal?.();
      await loop;
      for (const waiter of drainWaiters.splice(0)) waiter.resolve();
      streams.destroy();
    },
    drained() {
      if (stopped) return Promise.resolve();
      return new Promise<void>((resolve) => {
        drainWaiters.push({ fromCycle: cycle + 1, resolve });
        wake.signal?.();
      });
    },
  };
};
