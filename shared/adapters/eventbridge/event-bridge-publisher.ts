import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { PublishedEvent } from '../../events/catalog.ts';
import type { EventPublisher, PublishFailure } from '../../ports.ts';

/** PutEvents quotas: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html */
export const maxEntriesPerRequest = 10;
export const maxRequestEntryBytes = 256 * 1024;

/** Errors that the same entry will hit again however often it is resent. */
const permanentErrorCodes = new Set([
  'EntryTooLarge',
  'MalformedDetail',
  'InvalidArgument',
  'ValidationException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'AccessDeniedException',
]);

export interface RetrySettings {
  /** Calls per entry, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetrySettings: RetrySettings = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 };

export interface EventBridgePublisherSettings {
  eventBusName: string;
  retry?: Partial<RetrySettings>;
  /** Injected by tests so backoff takes no wall-clock time. */
  sleep?: (milliseconds: number) => Promise<void>;
  random?: () => number;
}

const utf8Bytes = (text: string | undefined): number => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));

/** An entry's size as EventBridge counts it: Time is 14 bytes; Source, DetailType, Detail and Resources their UTF-8 bytes. */
export const putEventsEntrySize = (entry: PutEventsRequestEntry): number =>
  (entry.Time ? 14 : 0) +
  utf8Bytes(entry.Source) +
  utf8Bytes(entry.DetailType) +
  utf8Bytes(entry.Detail) +
  (entry.Resources ?? []).reduce((total, resource) => total + utf8Bytes(resource), 0);

/** Splits sized items, in order, into requests of at most 10 entries and 256 KB. Items over 256 KB alone must be removed first. */
export const batchBySize = <T>(items: { item: T; size: number }[]): T[][] => {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const { item, size } of items) {
    if (current.length === maxEntriesPerRequest || currentBytes + size > maxRequestEntryBytes) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};

/** Exponential backoff with equal jitter: half the step fixed, half random, so retries spread but still wait. */
export const backoffDelay = (attempt: number, settings: RetrySettings, random: () => number): number => {
  const step = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return step / 2 + random() * (step / 2);
};

interface Pending {
  event: PublishedEvent;
  entry: PutEventsRequestEntry;
  errorCode: string;
  errorMessage: string;
}

const toEntry = (event: PublishedEvent, eventBusName: string): PutEventsRequestEntry => ({
  EventBusName: eventBusName,
  Source: event.source,
  DetailType: event['detail-type'],
  Detail: JSON.stringify(event.detail),
  Time: new Date(event.time),
});

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'UnknownError');
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Publishes with PutEvents: batches within EventBridge's limits, resends only the entries
 * that failed (per-entry ErrorCode) with exponential backoff, and reports what still failed
 * after `maxAttempts`. An entry over 256 KB is reported at once: no resend can make it fit.
 */
export const createEventBridgePublisher = (client: EventBridgeClient, settings: EventBridgePublisherSettings): EventPublisher => {
  const retry = { ...defaultRetrySettings, ...settings.retry };
  const sleep = settings.sleep ?? ((milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds)));
  const random = settings.random ?? Math.random;

  /** One PutEvents call; returns the entries to try again, moving permanent failures to `failed`. */
  const attempt = async (pending: Pending[], failed: PublishFailure[]): Promise<Pending[]> => {
    let retryable: Pending[] = [];
    try {
      const response = await client.send(new PutEventsCommand({ Entries: pending.map(({ entry }) => entry) }));
      if (!response.FailedEntryCount) return [];
      pending.forEach((item, index) => {
        const result = response.Entries?.[index];
        if (result?.EventId && !result.ErrorCode) return;
        retryable.push({ ...item, errorCode: result?.ErrorCode ?? 'MissingResult', errorMessage: result?.ErrorMessage ?? 'PutEvents returned no result for this entry' });
      });
    } catch (error) {
      retryable = pending.map((item) => ({ ...item, errorCode: errorName(error), errorMessage: errorText(error) }));
    }
    const permanent = retryable.filter((item) => permanentErrorCodes.has(item.errorCode));
    failed.push(...permanent.map(({ event, errorCode, errorMessage }) => ({ event, errorCode, errorMessage })));
    return retryable.filter((item) => !permanentErrorCodes.has(item.errorCode));
  };

  const publishBatch = async (batch: Pending[]): Promise<PublishFailure[]> => {
    const failed: PublishFailure[] = [];
    let pending = batch;
    for (let attemptNumber = 1; pending.length > 0; attemptNumber += 1) {
      pending = await attempt(pending, failed);
      if (pending.length === 0) break;
      if (attemptNumber >= retry.maxAttempts) {
        failed.push(...pending.map(({ event, errorCode, errorMessage }) => ({ event, errorCode, errorMessage })));
        break;
      }
      await sleep(backoffDelay(attemptNumber, retry, random));
    }
    return failed;
  };

  return {
    async publish(events) {
      const tooLarge: PublishFailure[] = [];
      const sized: { item: Pending; size: number }[] = [];
      for (const event of events) {
        const entry = toEntry(event, settings.eventBusName);
        const size = putEventsEntrySize(entry);
        // Ensure each entry can fit a request at all; a larger one is poison, not a retry.
        if (size > maxRequestEntryBytes) {
          tooLarge.push({ event, errorCode: 'EntryTooLarge', errorMessage: `The entry is ${size} bytes; PutEvents accepts at most ${maxRequestEntryBytes}` });
          continue;
        }
        sized.push({ item: { event, entry, errorCode: '', errorMessage: '' }, size });
      }
      const results = await Promise.all(batchBySize(sized).map(publishBatch));
      return { failed: [...tooLarge, ...results.flat()] };
    },
  };
};
