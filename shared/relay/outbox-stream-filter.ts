import { keys } from '../storage/table.ts';

/**
 * The Lambda event-source filter for the audit relay: only inserts of outbox items reach it.
 * REMOVE records (outbox TTL expiry) and every other item's changes never invoke the
 * function. The relay applies the same rule itself, so it is correct without the filter too.
 * CDK: `FilterCriteria.filter(outboxInsertFilterPattern)`.
 */
export const outboxInsertFilterPattern = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { pk: { S: [{ prefix: keys.outboxPrefix }] } } },
};
