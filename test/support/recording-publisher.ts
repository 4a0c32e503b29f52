import type { PublishedEvent } from '../../shared/events/catalog.ts';
import type { EventPublisher, PublishFailure } from '../../shared/ports.ts';

/**
 * An in-memory publisher that records what it accepted and can be told to fail: whole
 * calls (as if EventBridge were down) or single events (partial failures).
 */
export interface RecordingPublisher extends EventPublisher {
  /** Every event this publisher confirmed, in order, duplicates included. */
  accepted: PublishedEvent[];
  calls: number;
  /** The next `count` calls throw. */
  failNextCalls(count: number): void;
  /** Each listed eventId fails the next `times` times it is offered. */
  failEvents(eventIds: string[], times: number): void;
  /** Calls wait for this before answering (slow publisher). */
  delayMs: number;
  inner?: EventPublisher;
}

export const createRecordingPublisher = (inner?: EventPublisher): RecordingPublisher => {
  let failingCalls = 0;
  const failingEvents = new Map<string, number>();
  const publisher: RecordingPublisher = {
    accepted: [],
    calls: 0,
    delayMs: 0,
    inner,
    failNextCalls(count) {
      failingCalls = count;
    },
    failEvents(eventIds, times) {
      for (const eventId of eventIds) failingEvents.set(eventId, times);
    },
    async publish(events) {
      publisher.calls += 1;
      if (publisher.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, publisher.delayMs));
      if (failingCalls > 0) {
        failingCalls -= 1;
        throw new Error('EventBridge is unavailable (injected fault)');
      }
      const failed: PublishFailure[] = [];
      const passing: PublishedEvent[] = [];
      for (const event of events) {
        const remaining = failingEvents.get(event.detail.eventId) ?? 0;
        if (remaining > 0) {
          failingEvents.set(event.detail.eventId, remaining - 1);
          failed.push({ event, errorCode: 'InternalFailure', errorMessage: 'Injected partial failure' });
        } else {
          passing.push(event);
        }
      }
      if (inner && passing.length > 0) {
        const result = await inner.publish(passing);
        const innerFailed = new Set(result.failed.map(({ event }) => event.id));
        failed.push(...result.failed);
        publisher.accepted.push(...passing.filter((event) => !innerFailed.has(event.id)));
      } else {
        publisher.accepted.push(...passing);
      }
      return { failed };
    },
  };
  return publisher;
};
